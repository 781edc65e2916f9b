import { errorMessage } from '@cohort/core';
import { checks } from '@cohort/client';
import { HttpError } from '../http-error.js';
import { openEventStream } from '../sse.js';
import type { RouteContext } from './context.js';

/** The fleet's check events as a live event stream, verified against the node issuers. */
export function eventRoutes({ deps, route, headers }: RouteContext): void {
  const { log } = deps;
  route('GET', '/api/events', async (_req, reply) => {
    const trust = deps.nodeTrust;
    if (!trust) throw new HttpError(404, 'no trusted issuer configured: check events cannot be verified (set issuers in the client config)');
    const out = openEventStream(reply, headers);
    let follow: Awaited<ReturnType<typeof checks.watchCheckEvents>>;
    try {
      follow = await checks.watchCheckEvents(deps.bus, {
        collective: deps.collective,
        trust,
        onEvent: (e) => out.send('check', { identity: e.identity, check: e.check, state: e.state.toUpperCase(), previous: e.previous.toUpperCase(), output: e.output, time: e.time }),
      });
    } catch (err) {
      // The stream is already open: say why in it, then end it.
      log.warn(`following check events failed: ${errorMessage(err)}`);
      out.send('error', { error: `check events cannot be followed: ${errorMessage(err)}` });
      out.end();
      return;
    }
    if ('missing' in follow) {
      out.send('error', { error: checks.noCheckEvents(follow.missing) });
      out.end();
      return;
    }
    const stop = follow.stop.bind(follow);
    if (out.raw.destroyed) void stop();
    else out.raw.on('close', () => void stop());
  });
}
