// (a) The floor: raw nats.js scatter-gather. N plain connections (spread over
// processes as the simulator spreads its nodes) reply to one publish; the
// time is from the publish to the N-th reply.
import { connect, createInbox } from 'nats';
import { fileURLToPath } from 'node:url';
import { simNodeFlags } from './fleet.mjs';
import { startReady, sleep } from './util.mjs';

const responder = fileURLToPath(new URL('./raw-responder.cjs', import.meta.url));

/** Start N raw responders in ceil(N / perProcess) processes; `extraArgs` e.g. ['--direct'] (raw-responder.cjs). */
export async function startRawResponders(natsUrl, n, perProcess, extraArgs = []) {
  const procs = [];
  for (let done = 0; done < n; done += perProcess) {
    procs.push(startReady(process.execPath, [...simNodeFlags, responder, '--nats', natsUrl, '--count', String(Math.min(perProcess, n - done)), '--first', String(done), '--subject', 'bench.ping', ...extraArgs]));
  }
  const started = await Promise.all(procs);
  return { pids: started.map((p) => p.child.pid), stop: () => Promise.all(started.map((p) => p.stop())) };
}

/**
 * Collect n replies on a new inbox after `send(inbox)` has published: ms from
 * the first publish until all n arrived (or the timeout), and how many came.
 */
async function gather(nc, n, send, timeoutMs) {
  const inbox = createInbox();
  let got = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const sub = nc.subscribe(inbox, {
    callback: () => {
      if (++got === n) done();
    },
  });
  await nc.flush();
  const start = performance.now();
  send(inbox);
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  const ms = performance.now() - start;
  sub.unsubscribe();
  return { ms, got };
}

/** One scatter-gather: ms until all n replies arrived (or the timeout), and how many came. */
export function scatterGather(nc, n, timeoutMs = 30000) {
  return gather(nc, n, (inbox) => nc.publish('bench.ping', new Uint8Array(0), { reply: inbox }), timeoutMs);
}

/** Measure the floor `runs` times after `warmup` runs. */
export async function measureFloor(natsUrl, n, { runs, warmup }) {
  const nc = await connect({ servers: natsUrl, name: 'bench floor client' });
  try {
    const samples = [];
    let lost = 0;
    for (let i = 0; i < warmup + runs; i++) {
      const r = await scatterGather(nc, n);
      if (i >= warmup) {
        samples.push(r.ms);
        lost += n - r.got;
      }
      await sleep(20);
    }
    return { samples, lost };
  } finally {
    await nc.close();
  }
}

/**
 * The floor with direct addressing: one message of `bytes` bytes to each of
 * n connections' own subjects (bench.direct.raw-<i>, raw-responder --direct),
 * as the library sends one request per node; ms until all n replies arrived.
 */
export function directScatterGather(nc, n, bytes, timeoutMs = 30000) {
  const payload = new Uint8Array(bytes).fill(32);
  return gather(nc, n, (inbox) => {
    for (let i = 0; i < n; i++) nc.publish(`bench.direct.raw-${i}`, payload, { reply: inbox });
  }, timeoutMs);
}
