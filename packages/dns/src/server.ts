import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';
import { answerQuery, rcodeName, type AnswerOptions, type Reply, type Transport } from './answer.js';
import type { Catalog } from './catalog.js';
import { RateLimitedLog, type DnsLog } from './log-limit.js';
import { RecordCache } from './records.js';

/** Counters of a running server (logged on stop). */
export interface DnsCounts {
  queries: number;
  truncated: number;
  /** By response code name (NOERROR, NXDOMAIN, ...). */
  rcodes: Record<string, number>;
  /** Messages dropped without an answer (not a query, too short). */
  dropped: number;
}

export interface DnsServerOptions extends AnswerOptions {
  readonly host: string;
  /** 0: any free port (tests). */
  readonly port: number;
  readonly log: DnsLog;
}

/** A TCP connection idle this long is closed (RFC 7766 suggests seconds). */
const tcpIdleMs = 10_000;
/** At most this many bytes buffered from one TCP client (a few queries). */
const tcpMaxBuffered = 65_537 * 2;

/**
 * The DNS server: one UDP socket and one TCP listener on the same address
 * and port, both answering from `catalog` through answerQuery. A bad
 * message is answered (FORMERR, NOTIMP...) or dropped, logged rate-limited,
 * and counted; nothing a client sends stops the server.
 */
export class DnsServer {
  readonly counts: DnsCounts = { queries: 0, truncated: 0, rcodes: {}, dropped: 0 };
  readonly #catalog: Catalog;
  readonly #options: DnsServerOptions;
  readonly #bad: RateLimitedLog;
  #udp: Socket | undefined;
  #tcp: Server | undefined;
  readonly #connections = new Set<TcpSocket>();

  constructor(catalog: Catalog, options: DnsServerOptions) {
    this.#catalog = catalog;
    this.#options = { ...options, records: options.records ?? new RecordCache(options.ttl) };
    this.#bad = new RateLimitedLog(options.log);
  }

  /** The UDP and TCP port (the same), once started. */
  get port(): number {
    return this.#udp?.address().port ?? 0;
  }

  /** Bind UDP then TCP on the same port (with port 0, the port UDP got). */
  async start(): Promise<void> {
    const udp = createSocket({ type: isIPv6(this.#options.host) ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.#options.port, this.#options.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('error', (err) => this.#options.log.warn(`UDP socket error: ${err.message}`));
    udp.on('message', (msg, rinfo) => {
      const reply = this.#answer(msg, 'udp', rinfo.address);
      if (reply.response) udp.send(reply.response, rinfo.port, rinfo.address);
    });
    this.#udp = udp;
    const tcp = createServer((socket) => this.#serveTcp(socket));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(udp.address().port, this.#options.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      udp.close();
      throw err;
    });
    tcp.on('error', (err) => this.#options.log.warn(`TCP listener error: ${err.message}`));
    this.#tcp = tcp;
  }

  #answer(message: Buffer, transport: Transport, from: string): Reply {
    let reply: Reply;
    try {
      reply = answerQuery(message, this.#catalog, this.#options, transport);
    } catch (err) {
      // answerQuery does not throw; should it, the client gets no answer and the server goes on.
      reply = { response: undefined, rcode: 2, truncated: false, problem: `internal error: ${(err as Error).message}` };
    }
    this.counts.queries++;
    if (reply.response === undefined) this.counts.dropped++;
    const name = rcodeName[reply.rcode];
    this.counts.rcodes[name] = (this.counts.rcodes[name] ?? 0) + 1;
    if (reply.truncated) this.counts.truncated++;
    if (reply.problem !== undefined) this.#bad.warn(`bad query from ${from} over ${transport.toUpperCase()}: ${reply.problem}${reply.response ? ` (answered ${name})` : ' (dropped)'}`);
    return reply;
  }

  /** DNS over TCP: each message prefixed by its 2-byte length; several per connection. */
  #serveTcp(socket: TcpSocket): void {
    this.#connections.add(socket);
    socket.setTimeout(tcpIdleMs, () => socket.destroy());
    socket.on('close', () => this.#connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (buffered.length > tcpMaxBuffered) {
        this.#bad.warn(`TCP client ${socket.remoteAddress ?? '?'} sent more than ${tcpMaxBuffered} bytes unanswered: closed`);
        socket.destroy();
        return;
      }
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const reply = this.#answer(message, 'tcp', socket.remoteAddress ?? '?');
        if (!reply.response) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.response.length, 0);
        socket.write(Buffer.concat([prefix, reply.response]));
      }
    });
  }

  /** Close the sockets (and every TCP connection). Safe to call more than once. */
  async stop(): Promise<void> {
    for (const c of this.#connections) c.destroy();
    const udp = this.#udp;
    const tcp = this.#tcp;
    this.#udp = undefined;
    this.#tcp = undefined;
    await Promise.all([
      new Promise<void>((resolve) => (udp ? udp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (tcp ? tcp.close(() => resolve()) : resolve())),
    ]);
  }
}
