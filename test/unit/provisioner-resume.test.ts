// A provisioner that died after a node finished but before the notifiers were
// told: the next one notifies (once) without running a step again; and a
// notifier that hangs is given up after its deadline, so the node is still
// recorded as notified and the queue moves on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finished, newRecord, provisionNode, stepCompleted, stepNames, type Notifier, type ProvisionEvent, type RunDeps } from '../../packages/provisioner/src/index.ts';
import { FakeFleet, ManualTime, MemoryStore, RecordingLog, testPipeline } from './provisioner-fakes.ts';

function setup(notifiers: Notifier[], notifyDeadlineMs?: number) {
  const fleet = new FakeFleet();
  const store = new MemoryStore();
  const time = new ManualTime();
  const log = new RecordingLog();
  const deps: RunDeps = {
    pipeline: testPipeline(),
    fleet,
    store,
    notifiers,
    log,
    time,
    me: { owner: 'prov-b', instance: 'prov-b/1' },
    stopping: new AbortController().signal,
    ...(notifyDeadlineMs !== undefined ? { notifyDeadlineMs } : {}),
  };
  return { fleet, store, time, log, deps };
}

/** What a provisioner that died between finishing web1 and telling the notifiers left behind. */
async function doneButNotNotified(store: MemoryStore, time: ManualTime): Promise<void> {
  let record = newRecord('web1', time.now());
  for (const step of stepNames) record = stepCompleted(record, step, step === 'gencsr' ? { fingerprint: 'FP(web1)' } : {}, time.now());
  // The dead provisioner's claim has expired.
  record = { ...finished(record, time.now()), owner: 'prov-a', instance: 'prov-a/1', lease_until: time.now() - 1 };
  assert.equal(await store.create(record), 1);
}

test('done but not notified: the next provisioner notifies once and runs no step again', async () => {
  const events: ProvisionEvent[] = [];
  const { fleet, store, time, deps } = setup([{ name: 'test', events: ['provisioned', 'failed'], send: async (e) => void events.push(e) }]);
  await doneButNotNotified(store, time);
  const outcome = await provisionNode('web1', deps);
  assert.deepEqual(outcome, { kind: 'notified' });
  assert.deepEqual(fleet.calls, [], 'no RPC to the node or any CA');
  assert.deepEqual(events.map((e) => [e.event, e.identity, e.fingerprint]), [['provisioned', 'web1', 'FP(web1)']]);
  const r = store.record('web1')!;
  assert.deepEqual([r.phase, r.notified, r.owner], ['done', true, null]);
  // Told once: found again, it is skipped and nobody is told twice.
  assert.equal((await provisionNode('web1', deps)).kind, 'skipped');
  assert.equal(events.length, 1);
});

test('a notifier that never answers is given up after its deadline; the others are told and the node is recorded notified', async () => {
  const told: string[] = [];
  const hanging: Notifier = { name: 'webhook https://hangs.example.net/', events: ['provisioned'], send: () => new Promise<void>(() => {}) };
  const quick: Notifier = { name: 'log', events: ['provisioned'], send: async (e) => void told.push(e.identity) };
  const { store, time, log, deps } = setup([hanging, quick], 50);
  await doneButNotNotified(store, time);
  // The deadline timer is unref'd (it must not keep a stopping provisioner alive); in the service the bus
  // connection keeps the loop running, here this interval does.
  const keepAlive = setInterval(() => {}, 1000);
  const outcome = await provisionNode('web1', deps).finally(() => clearInterval(keepAlive));
  assert.deepEqual(outcome, { kind: 'notified' });
  assert.deepEqual(told, ['web1']);
  assert.deepEqual(
    log.lines.filter((l) => l.startsWith('warn ')),
    ['warn notifier webhook https://hangs.example.net/ failed for web1 (provisioned): gave up after 0.05 s'],
  );
  assert.equal(store.record('web1')!.notified, true);
});
