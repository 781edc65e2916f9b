import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

export interface EventStream {
  /** One event: `event: NAME` and its JSON data. */
  send(event: string, data: unknown): void;
  end(): void;
  readonly raw: ServerResponse;
}

/**
 * Turn `reply` into a text/event-stream (Server-Sent Events) carrying
 * `headers` (the security headers): a comment at once (the client knows
 * the stream is open), then a keep-alive comment every 15 s.
 */
export function openEventStream(reply: FastifyReply, headers: Record<string, string>): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.write(': cohort\n\n');
  const ping = setInterval(() => raw.write(': ping\n\n'), 15_000);
  ping.unref();
  raw.on('close', () => clearInterval(ping));
  return {
    send: (event, data) => void raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    end: () => {
      clearInterval(ping);
      raw.end();
    },
    raw,
  };
}
