// Checks under the least-privilege NATS permissions of examples/secure: the
// admin creates the checks buckets and events stream (cohort bus init); the
// nodes (user cohortd, no stream administration) write their signed states,
// publish events, read their own state back after a restart (sequence and
// history continue), and watch fleet-wide definitions; the operator reads
// states and events and writes a definition.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { checkDefinitionsBucket, checkEventsStream, CheckKind, checkKey, checksBucket, readData, sealDataBytes, TrustStore, type CheckEvent, type CheckStateRecord } from '@cohort/core';
import { until as waitUntil } from '../harness/wait.js';
import { describe, test } from '../harness/skip.js';
import { missingOpenssl, operatorSigner, startSecureFleet, type SecureFleet } from './security-fleet.js';

const dummy = '/usr/lib/nagios/plugins/check_dummy';
const skip = missingOpenssl() ?? (existsSync(dummy) ? undefined : 'needs monitoring-plugins-basic (/usr/lib/nagios/plugins/check_dummy)');

let lastError: unknown;
/** What the checks log when the bus refuses them (writes, events, the definitions watch). */
const checksTrouble = /\[server:checks\] .*(cannot|failed|violation|does not exist)/i;

/** Poll `check` (an error counts as not yet, kept in lastError) until true. */
function until(check: () => Promise<boolean>, what: string, ms = 40_000): Promise<void> {
  const attempt = () =>
    check().catch((err: unknown) => {
      lastError = err;
      return false;
    });
  return waitUntil(what, attempt, { timeoutMs: ms, everyMs: 250 });
}

describe('checks with the least-privilege permissions of examples/secure', { skip }, () => {
  let env: SecureFleet;
  let operator: NatsConnection;
  let trust: TrustStore;
  const fast = { interval: '2s', retries: 1, splay: false };

  const state = async (check: string, id: string): Promise<CheckStateRecord | undefined> => {
    const kv = await operator.jetstream().views.kv(checksBucket('cohort'), { bindOnly: true });
    const e = await kv.get(checkKey(check, id));
    if (e === null || e.operation !== 'PUT') return undefined;
    const v = readData<CheckStateRecord>(e.value, trust, { kind: CheckKind.State, subject: id, now: Date.now() });
    if (typeof v === 'string') throw new Error(v);
    return v.value;
  };

  before(async () => {
    if (skip) return;
    env = await startSecureFleet(
      [
        { identity: 's1', role: 'web' },
        { identity: 's2', role: 'db' },
      ],
      {
        policies: { 'checks.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n' },
        config: {
          checks: { crit: { command: [dummy, '2', 'disk full'], ...fast } },
          nrpe: { conf_file: '/nonexistent/nrpe.cfg', conf_dir: null },
        },
      },
    );
    operator = await env.operatorBus();
    trust = TrustStore.load({ kind: 'node', issuers: [join(env.dir, 'keys/issuer.pub')] });
  });

  after(async () => {
    await operator?.close();
    await env?.stop();
  });

  test('nodes write signed states and publish events; the operator reads both', async () => {
    for (const id of ['s1', 's2']) {
      await until(async () => (await state('crit', id))?.state === 'critical', `${id} crit is critical`).catch((err: Error) => {
        throw new Error(`${err.message}; operator read: ${String(lastError)}; ${id} log:\n${env.fleet.nodes.get(id)?.log().split('\n').slice(0, 60).join('\n')}`);
      });
    }
    // The operator reads the events stream through a consumer (the only way its permissions allow).
    const consumer = await operator.jetstream().consumers.get(checkEventsStream('cohort'));
    const seen: CheckEvent[] = [];
    const batch = await consumer.fetch({ max_messages: 10, expires: 5000 });
    for await (const m of batch) {
      const v = readData<CheckEvent>(m.data, trust, { kind: CheckKind.Event, now: Date.now() });
      assert.equal(typeof v, 'object', String(v));
      if (typeof v !== 'string') seen.push(v.value);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen.map((e) => `${e.identity}:${e.check}:${e.previous}->${e.state}`).sort(), ['s1:crit:pending->critical', 's2:crit:pending->critical']);
    for (const id of ['s1', 's2']) assert.doesNotMatch(env.fleet.nodes.get(id)?.log() ?? '', checksTrouble);
  });

  test('after a restart a node reads its own last state back: the sequence continues', async () => {
    await until(async () => ((await state('crit', 's1'))?.history.length ?? 0) >= 2, 'two results');
    const before = await state('crit', 's1');
    await env.stopNode('s1');
    const log = await env.startNode('s1');
    await until(async () => ((await state('crit', 's1'))?.history.length ?? 0) > (before?.history.length ?? 0) && (await state('crit', 's1'))?.last_run !== before?.last_run, 'a new result after the restart');
    const after = await state('crit', 's1');
    assert.equal(after?.state, 'critical');
    assert.equal(after?.sequence, before?.sequence, 'no new transition, so no duplicate event id');
    assert.doesNotMatch(log(), checksTrouble);
  });

  test('the operator writes a fleet-wide definition; nodes (read-only on it) pick it up', async () => {
    const defs = await operator.jetstream().views.kv(checkDefinitionsBucket('cohort'), { bindOnly: true });
    await defs.put('fleet', sealDataBytes(CheckKind.Definition, { name: 'fleet', nrpe: 'check_x', ...fast, apply_on: 'role=db' }, operatorSigner(env)));
    // The node has no NRPE config here: the check runs and says so (unknown), which proves it was accepted.
    await until(async () => (await state('fleet', 's2'))?.state === 'unknown', 'the fleet-wide check runs on s2');
    assert.match((await state('fleet', 's2'))?.output ?? '', /no NRPE command 'check_x' on this node/);
    assert.equal(await state('fleet', 's1'), undefined);
    await defs.delete('fleet');
    await until(async () => (await state('fleet', 's2')) === undefined, 'the withdrawn definition is removed');
  });
});
