// Hostile input against a real cohortd (signed mode, two collectives, a
// 64 KiB max_message_bytes) on a real nats-server: for a bounded time
// (COHORT_FUZZ_SECONDS, default 10; seed COHORT_FUZZ_SEED) random bytes,
// truncated and deeply nested JSON, oversize payloads, wrong protocols and
// types, bad signatures, misrouted/expired/future/replayed requests, foreign
// reply_to, other targets, bad, oversize and fstat filters and bad inputs
// (alone and combined, to pin the order of the node's checks) go to every
// subject the node subscribes to, interleaved with valid requests (in both
// collectives) that must keep being answered. Afterwards the daemon_stats
// counters account for every message exactly once, each under the outcome
// the generator predicted (test/harness/fuzz.ts models the pipeline order);
// each answered message got exactly one reply on its own reply subject;
// memory stayed bounded; oversize messages were logged with subject, size and
// limit, rate-limited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { Client, seededRandom } from '@cohort/client';
import { broadcastSubject, loadSigner, nodeSubject, type Signer } from '@cohort/core';
import { startFleet, startNatsServer, type Fleet, type NatsServer, until as waitUntil, WaitTimeout } from '../harness/index.js';
import { answered, dropOutcomes, fuzzCase, FuzzOutcome, type FuzzContext, type FuzzTarget } from '../harness/fuzz.js';

const seconds = Number(process.env['COHORT_FUZZ_SECONDS'] ?? 10);
const seed = Number(process.env['COHORT_FUZZ_SEED'] ?? 20261122);
const identity = 'fuzz1';
const collectives = ['cohort', 'fuzzland'];
const maxBytes = 64 * 1024;
/** The node's security.max_clock_skew (the default): requests further in the future are bad_time. */
const maxClockSkew = 60;
/** Drop reasons that must not occur at all (nothing is refused for load, authorization, audit or publishing). */
const never = ['replay_cache_full', 'replay_caller_full', 'queue_full', 'reply_failed', 'unauthorized', 'audit_failed'];

let nats: NatsServer;
let fleet: Fleet;
let bus: NatsConnection;
let client: Client;
/** A client in the second collective: valid requests there must keep being answered too. */
let second: Client;
let signer: Signer;

before(async () => {
  nats = await startNatsServer({ jetstream: true });
  fleet = await startFleet({
    natsUrl: nats.url,
    monitorPort: nats.monitorPort,
    nodes: [{ identity, facts: { role: 'fuzz', name: 'a'.repeat(40) }, classes: ['fuzz'] }],
    secure: true,
    registry: true,
    config: { collectives, max_message_bytes: maxBytes },
  });
  signer = loadSigner({ kind: 'caller', keyFile: join(fleet.dir, 'security', 'operator.key') });
  bus = await connect({ servers: nats.url, name: 'fuzzer' });
  client = await Client.connect({ servers: nats.url, signer, callerid: signer.subject });
  second = await Client.connect({ servers: nats.url, signer, callerid: signer.subject, collective: collectives[1] });
});
after(async () => {
  await client?.close();
  await second?.close();
  await bus?.close();
  await fleet?.stop();
  await nats?.stop();
});

type DaemonStats = { total: number; validated: number; unvalidated: number; passed: number; filtered: number; replies: number; rss: number; dropped: Record<string, number>; agents: string[] };

async function daemonStats(): Promise<DaemonStats> {
  const call = client.rpc({ agent: 'rpcutil', action: 'daemon_stats', nodes: [identity], timeout: 20 });
  let out: DaemonStats | undefined;
  for await (const r of call) out = r.data as unknown as DaemonStats;
  assert.ok(out, `${identity} did not answer daemon_stats`);
  return out;
}

/** A valid request on the node subject (of the first or second collective): must be answered OK. */
async function answeredOk(via: Client): Promise<boolean> {
  const stats = await via.rpc({ agent: 'rpcutil', action: 'ping', nodes: [identity], timeout: 20 }).stats();
  return stats.responded === 1 && stats.ok === 1;
}

/** Subjects the node's connection subscribes to (from the server's monitoring endpoint). */
async function nodeSubscriptions(): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${nats.monitorPort}/connz?subs=1&limit=1000`);
  const body = (await res.json()) as { connections?: Array<{ name?: string; subscriptions_list?: string[] }> };
  const conn = body.connections?.find((c) => c.name === `cohortd ${identity}`);
  assert.ok(conn, `no connection named 'cohortd ${identity}' on the server`);
  return conn.subscriptions_list ?? [];
}

/** The node's state for failure messages: running or exited, and the end of its log. */
function nodeState(): string {
  const node = fleet.nodes.get(identity);
  return `cohortd ${identity} ${node?.process.exitCode === null ? 'is running' : `exited with ${node?.process.exitCode}`}; its log ends:\n${(node?.log() ?? '').slice(-3000)}`;
}

async function until(what: string | (() => string), check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  try {
    await waitUntil('', check, { timeoutMs, everyMs: 100 });
  } catch (err) {
    if (!(err instanceof WaitTimeout)) throw err;
    assert.fail(`timed out waiting for ${typeof what === 'string' ? what : what()}; ${nodeState()}`);
  }
}

test(`a node survives ${seconds} s of hostile input on every subject and accounts for every message (seed ${seed})`, async () => {
  const before = await daemonStats();
  const pipeline: FuzzTarget[] = collectives.flatMap((collective) => [
    ...before.agents.map((agent) => ({ subject: broadcastSubject(collective, agent), collective, agent })),
    { subject: nodeSubject(collective, identity), collective, agent: undefined },
  ]);
  const subscribed = await nodeSubscriptions();
  for (const t of pipeline) assert.ok(subscribed.includes(t.subject), `node is not subscribed to ${t.subject}: ${subscribed.join(', ')}`);
  // Anything else it listens on (inboxes of its own JetStream requests) gets random bytes, outside the pipeline's counters.
  const others = subscribed.filter((s) => !pipeline.some((t) => t.subject === s)).map((s) => s.replace(/\*|>/g, 'fuzz'));

  // Replies on every reply subject (the checks' own replies land here too: only the fuzz messages' subjects are counted).
  const received = new Map<string, number>();
  const replySub = bus.subscribe('*.reply.>', { callback: (_err, msg) => received.set(msg.subject, (received.get(msg.subject) ?? 0) + 1) });
  const ctx: FuzzContext = { identity, signer, maxBytes, maxPayload: bus.info?.max_payload ?? 1024 * 1024, maxClockSkew };
  const rnd = seededRandom(seed);
  const expected = new Map<string, number>();
  /** Replies each answered fuzz message's reply subject must get (a duplicate answered twice gets two). */
  const expectedReplies = new Map<string, number>();
  /** The case kind of each reply subject (for failure messages). */
  const replyKind = new Map<string, string>();
  const kinds = new Map<string, number>();
  const perSubject = new Map<string, number>();
  let sent = 0;
  let checks = 0;
  let unanswered = 0;
  let otherSent = 0;
  const deadline = Date.now() + seconds * 1000;
  try {
    for (let i = 0; Date.now() < deadline; i++) {
      const c = fuzzCase(pipeline, ctx, rnd);
      kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
      for (const m of c.messages) {
        if (m.expect === FuzzOutcome.RefusedByClient) {
          assert.throws(() => bus.publish(m.subject, m.bytes), /MAX_PAYLOAD|payload/i, 'nats.js refuses payloads over max_payload');
          continue;
        }
        bus.publish(m.subject, m.bytes);
        sent++;
        perSubject.set(m.subject, (perSubject.get(m.subject) ?? 0) + 1);
        expected.set(m.expect, (expected.get(m.expect) ?? 0) + 1);
        if (answered.has(m.expect)) {
          assert.ok(m.replyTo, `an answered ${c.kind} message names its reply subject`);
          expectedReplies.set(m.replyTo, (expectedReplies.get(m.replyTo) ?? 0) + 1);
          replyKind.set(m.replyTo, c.kind);
        }
      }
      if (others.length && i % 10 === 0) {
        bus.publish(others[i % others.length] as string, Uint8Array.from({ length: 64 }, () => Math.floor(rnd() * 256)));
        otherSent++;
      }
      // Everything published so far reaches the node before this request does, so an answer also means it kept up.
      if (i % 20 === 19) {
        await bus.flush();
        checks++;
        if (!(await answeredOk(checks % 2 ? client : second))) unanswered++;
      }
    }
    await bus.flush();
    checks++;
    if (!(await answeredOk(client))) unanswered++;
    const count = (o: FuzzOutcome) => expected.get(o) ?? 0;
    const replyExpected = count(FuzzOutcome.Reply) + count(FuzzOutcome.UnknownTarget);
    const fuzzReplies = () => [...expectedReplies.keys()].reduce((sum, s) => sum + (received.get(s) ?? 0), 0);
    const missing = () =>
      [...expectedReplies]
        .filter(([subject, n]) => (received.get(subject) ?? 0) < n)
        .slice(0, 10)
        .map(([subject]) => `${replyKind.get(subject)} (${subject})`);
    await until(() => `${replyExpected} replies to the answered fuzz requests (got ${fuzzReplies()}; missing e.g. ${missing().join(', ')})`, () => fuzzReplies() >= replyExpected);
    const afterStats = await daemonStats();
    const summary = `seed ${seed}: ${sent} hostile messages (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}), ${otherSent} to other subjects (${others.join(', ') || 'none'}), ${checks} valid checks`;
    console.log(`fuzz: ${summary}; expected ${JSON.stringify(Object.fromEntries(expected))}`);

    for (const t of pipeline) assert.ok((perSubject.get(t.subject) ?? 0) > 0, `no hostile message reached ${t.subject} (${summary})`);
    assert.equal(unanswered, 0, `${unanswered} of ${checks} valid requests went unanswered during the fuzz (${summary}); ${nodeState()}`);
    const diff = (k: 'total' | 'validated' | 'unvalidated' | 'passed' | 'filtered' | 'replies') => afterStats[k] - before[k];
    const dropped = (r: string) => (afterStats.dropped[r] ?? 0) - (before.dropped[r] ?? 0);
    const counters = `counters: ${JSON.stringify({ total: diff('total'), passed: diff('passed'), replies: diff('replies'), dropped: Object.fromEntries(Object.keys(afterStats.dropped).map((r) => [r, dropped(r)])) })}`;
    // The daemon_stats request that took the second snapshot is counted in it (total, passed, not yet replies); the first one's reply is.
    assert.equal(diff('total'), sent + checks + 1, `messages received (${summary}; ${counters})`);
    for (const reason of dropOutcomes) assert.equal(dropped(reason), count(reason), `dropped as ${reason} (${counters})`);
    for (const reason of never) assert.equal(dropped(reason), 0, `nothing dropped as ${reason} (${counters})`);
    assert.equal(diff('unvalidated'), count(FuzzOutcome.Invalid), `messages that did not decode (${counters})`);
    assert.equal(diff('validated'), diff('total') - diff('unvalidated'), 'validated + unvalidated = total');
    assert.equal(diff('filtered'), count(FuzzOutcome.Filtered), `filtered (${counters})`);
    // `passed` is counted after lookup, authorization, the replay check and the fstat filter: unknown agents and
    // actions are answered without passing.
    assert.equal(diff('passed'), count(FuzzOutcome.Reply) + checks + 1, `requests that passed (${counters})`);
    // Every message has exactly one outcome: passed, dropped for one reason, or answered as unknown.
    const drops = dropOutcomes.reduce((sum, r) => sum + dropped(r), 0);
    assert.equal(diff('passed') + drops + count(FuzzOutcome.UnknownTarget), diff('total'), `every message accounted for once (${counters})`);
    // Exactly one reply per answered message, on its own reply subject, and none to anything the node refused.
    for (const [subject, n] of expectedReplies) assert.equal(received.get(subject) ?? 0, n, `replies on ${subject} (${replyKind.get(subject)})`);
    assert.equal(diff('replies'), fuzzReplies() + checks + 1, `every reply the node sent was to an answered request (${counters})`);

    // Bounded memory: the node handled megabytes of garbage without keeping it.
    const mib = (b: number) => Math.round(b / 1048576);
    assert.ok(afterStats.rss < before.rss + 256 * 1048576, `RSS grew from ${mib(before.rss)} MiB to ${mib(afterStats.rss)} MiB`);

    const log = fleet.nodes.get(identity)?.log() ?? '';
    const oversize = log.split('\n').filter((l) => l.includes('larger than max_message_bytes'));
    if ((expected.get(FuzzOutcome.Invalid) ?? 0) > 0 && (kinds.get('oversize') ?? 0) > 0) {
      assert.ok(oversize.length >= 1, `no oversize log line in:\n${log.slice(-2000)}`);
      assert.match(oversize[0] ?? '', new RegExp(`dropped a message of \\d+ bytes on (${collectives.join('|')})\\.\\S+: larger than max_message_bytes \\(${maxBytes}\\)`));
      // Rate-limited: one line per 10 s at most (plus the first).
      assert.ok(oversize.length <= Math.ceil(seconds / 10) + 1, `${oversize.length} oversize lines in ${seconds} s: not rate-limited`);
    }
    assert.equal(fleet.nodes.get(identity)?.process.exitCode, null, 'cohortd is still running');
  } finally {
    replySub.unsubscribe();
  }
});

// nats.js runs subscription callbacks inside its socket reader, and a JetStream consumer (the mine's key-value
// watch) throws on a message that did not come from JetStream: before the bus isolated each inbound message, a
// few random bytes on that watch's inbox ended the node's reader, and it answered nothing until the server
// dropped the connection as stale, minutes later.
test('garbage on the node\'s own inboxes (key-value watch deliver subjects) does not stop it answering', async () => {
  const inboxes = (await nodeSubscriptions()).filter((s) => s.startsWith(`_INBOX.node.${identity}.`)).map((s) => s.replace(/\*|>/g, 'fuzz'));
  const direct = inboxes.filter((s) => !s.endsWith('.fuzz'));
  assert.ok(direct.length > 0, `the node watches at least one bucket through its own inbox: ${inboxes.join(', ')}`);
  const rnd = seededRandom(seed);
  for (const subject of inboxes) {
    for (let i = 0; i < 5; i++) bus.publish(subject, Uint8Array.from({ length: 64 }, () => Math.floor(rnd() * 256)));
    bus.publish(subject, new TextEncoder().encode('{}'), { reply: '$JS.ACK.x' });
  }
  await bus.flush();
  assert.ok(await answeredOk(client), `${identity} stopped answering after garbage on ${inboxes.join(', ')}; ${nodeState()}`);
  assert.ok(await answeredOk(second), `${identity} stopped answering in ${collectives[1]}; ${nodeState()}`);
  await until('the node to log the message it dropped', () => /dropped a message on _INBOX\.node\.\S+ that could not be handled: not js message/.test(fleet.nodes.get(identity)?.log() ?? ''));
  assert.equal(fleet.nodes.get(identity)?.process.exitCode, null, 'cohortd is still running');
});
