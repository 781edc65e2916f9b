// One node through the pipeline, and the service finding nodes, with a
// scripted fleet, an in-memory store and hand-driven time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRecord, provisionNode, Provisioner, stepCompleted, type Notifier, type ProvisionEvent, type RunDeps } from '../../packages/provisioner/src/index.ts';
import { FakeFleet, ManualTime, MemoryStore, RecordingLog, testPipeline } from './provisioner-fakes.ts';

function setup(pipeline = testPipeline()) {
  const fleet = new FakeFleet();
  fleet.masters.push({ identity: 'ca-eu', facts: { region: 'eu', ipaddress: '10.0.0.1' } }, { identity: 'ca-us', facts: { region: 'us', ipaddress: '10.0.0.2' } });
  fleet.nodeFacts.set('web1', { region: 'eu', country: 'de' });
  const events: ProvisionEvent[] = [];
  const notifier: Notifier = { name: 'test', events: ['provisioned', 'failed'], send: async (e) => void events.push(e) };
  const store = new MemoryStore();
  const time = new ManualTime();
  const log = new RecordingLog();
  const stop = new AbortController();
  const deps: RunDeps = { pipeline, fleet, store, notifiers: [notifier], log, time, me: { owner: 'prov-a', instance: 'prov-a/1' }, stopping: stop.signal };
  return { fleet, events, store, time, log, deps, stop };
}

test('a node through every step in the seed order: master by region, cert signed there, final config rendered, notified once', async () => {
  const { fleet, events, store, deps } = setup();
  const outcome = await provisionNode('web1', deps);
  assert.deepEqual(outcome, { kind: 'done' });
  assert.deepEqual(fleet.actions('web1'), [
    'provision.lock',
    'rpcutil.inventory',
    'provision.set_master',
    'rpcutil.ping', // clean: is a live production node of that name there? (no)
    'provision.gencsr',
    'provision.install_cert',
    'provision.configure',
    'provision.restart',
    'rpcutil.ping',
  ]);
  assert.deepEqual(fleet.actions('ca-eu'), ['ca.clean', 'ca.sign']);
  assert.deepEqual(fleet.actions('ca-us'), ['ca.clean'], 'clean runs on every CA, sign only on the chosen one');
  const call = (action: string) => fleet.calls.find((c) => c.identity === 'web1' && c.action === action)!;
  assert.deepEqual(call('set_master').data, { host: 'ca-eu', ip: '10.0.0.1', port: 8140 });
  assert.equal(call('lock').data['owner'], 'prov-a');
  assert.equal(call('install_cert').data['certificate'], 'CERT(web1 by ca-eu)');
  assert.equal(call('configure').data['config'], 'identity: web1\ncollectives: [cohort]\nfacts_region: "eu"\nmaster: ca-eu\n');
  const r = store.record('web1')!;
  assert.deepEqual([r.phase, r.notified, r.owner, r.attempts, r.data.fingerprint], ['done', true, null, 1, 'FP(web1)']);
  assert.equal(events.length, 1);
  assert.deepEqual([events[0]!.event, events[0]!.identity, events[0]!.master, events[0]!.ca, events[0]!.fingerprint], ['provisioned', 'web1', 'ca-eu', 'ca-eu', 'FP(web1)']);
  // Done is done: discovered again, it is skipped.
  const again = await provisionNode('web1', deps);
  assert.equal(again.kind, 'skipped');
  assert.equal(events.length, 1);
});

test('a node in provisioning mode named like a live production node: its certificate is never cleaned or re-issued', async () => {
  const { fleet, store, deps } = setup(testPipeline({ state: { max_attempts: 1 } }));
  fleet.production.add('web1');
  const outcome = await provisionNode('web1', deps);
  assert.equal(outcome.kind, 'failed');
  assert.match(store.record('web1')!.error ?? '', /web1 is a live node in the cohort collective; refusing to clean and re-issue its certificate/);
  assert.deepEqual(fleet.calls.filter((c) => c.agent === 'ca'), [], 'no CA was asked to clean or sign');
});

test('a node that answers gencsr with another certname is not signed', async () => {
  const { fleet, store, deps } = setup(testPipeline({ state: { max_attempts: 1 } }));
  fleet.handlers.set('gencsr', () => ({ csr: 'CSR(ca-eu)', certname: 'ca-eu', public_key: 'PUB' }));
  const outcome = await provisionNode('web1', deps);
  assert.equal(outcome.kind, 'failed');
  assert.match(store.record('web1')!.error ?? '', /made a request for 'ca-eu'; only its own identity is signed/);
  assert.deepEqual(fleet.actions('ca-eu'), ['ca.clean'], 'never signed');
});

test('the token goes with every provision action when configured', async () => {
  const { fleet, deps } = setup(testPipeline({ provisioning: { token: 's3cret' } }));
  await provisionNode('web1', deps);
  const provision = fleet.calls.filter((c) => c.agent === 'provision');
  assert.ok(provision.length > 5);
  assert.ok(provision.every((c) => c.data['token'] === 's3cret'));
  assert.ok(fleet.calls.filter((c) => c.agent !== 'provision').every((c) => !('token' in c.data)));
});

test('resumes after a crash from the last completed step (the lock is renewed first)', async () => {
  const { fleet, store, time, deps } = setup();
  let crashed = newRecord('web1', time.now());
  for (const s of ['lock', 'choose_master', 'set_master', 'clean', 'gencsr'] as const) crashed = stepCompleted(crashed, s, s === 'gencsr' ? { csr: 'OLD-CSR', certname: 'web1' } : s === 'choose_master' ? { facts: { region: 'eu' }, master: { identity: 'ca-eu', host: 'ca-eu', ip: undefined, port: 8140, reason: 'region=eu' } } : {}, time.now());
  await store.create({ ...crashed, phase: 'running', owner: 'dead', instance: 'dead/1', lease_until: time.now() - 1, attempts: 1 });
  assert.deepEqual(await provisionNode('web1', deps), { kind: 'done' });
  assert.deepEqual(fleet.actions('web1'), ['provision.lock', 'provision.install_cert', 'provision.configure', 'provision.restart', 'rpcutil.ping']);
  assert.deepEqual(fleet.actions('ca-eu'), ['ca.sign']);
  assert.equal(fleet.calls.find((c) => c.action === 'sign')!.data['csr'], 'OLD-CSR');
  assert.equal(store.record('web1')!.attempts, 2);
});

test('resumed after the node restarted but before that was recorded: restart counts as done, no lock on a gone agent', async () => {
  const { fleet, store, time, deps } = setup();
  let r = newRecord('web1', time.now());
  for (const s of ['lock', 'choose_master', 'set_master', 'clean', 'gencsr', 'sign', 'install_cert', 'configure'] as const) r = stepCompleted(r, s, {}, time.now());
  await store.create({ ...r, phase: 'running', owner: 'dead', instance: 'dead/1', lease_until: time.now() - 1, attempts: 1 });
  fleet.production.add('web1');
  assert.deepEqual(await provisionNode('web1', deps), { kind: 'done' });
  assert.deepEqual(fleet.actions('web1'), ['rpcutil.ping', 'rpcutil.ping']);
});

test('a step is retried with backoff; one that keeps failing fails the attempt, then the node, notified once, unlocked', async () => {
  const { fleet, store, time, events, deps, log } = setup();
  fleet.fail('sign', 2); // succeeds on the third try (retries: 2)
  assert.deepEqual(await provisionNode('web1', deps), { kind: 'done' });
  assert.equal(fleet.actions('ca-eu').filter((a) => a === 'ca.sign').length, 3);
  assert.equal(log.lines.filter((l) => /sign failed .*try \d of 3/.test(l)).length, 2);

  fleet.nodeFacts.set('web2', { region: 'us' });
  fleet.fail('install_cert');
  const first = await provisionNode('web2', deps);
  assert.equal(first.kind, 'retrying');
  let r = store.record('web2')!;
  assert.deepEqual([r.phase, r.step, r.failures, r.owner], ['pending', 'install_cert', 1, null]);
  assert.match(r.error ?? '', /^install_cert: provision install_cert on web2 failed \(status 1\): scripted failure$/);
  assert.ok(fleet.actions('web2').includes('provision.unlock'), 'the node lock is released for others');
  assert.equal((await provisionNode('web2', deps)).kind, 'skipped', 'not before the retry delay');
  time.t += 5000;
  const second = await provisionNode('web2', deps);
  assert.equal(second.kind, 'failed');
  r = store.record('web2')!;
  assert.deepEqual([r.phase, r.failures, r.attempts], ['failed', 2, 2]);
  assert.deepEqual(r.completed.slice(-2), ['gencsr', 'sign'], 'the second attempt resumed after sign');
  const failedEvents = events.filter((e) => e.identity === 'web2');
  assert.equal(failedEvents.length, 1);
  assert.deepEqual([failedEvents[0]!.event, failedEvents[0]!.step, failedEvents[0]!.attempts], ['failed', 'install_cert', 2]);
  // After the cool-down a new round starts from the first step.
  fleet.failures.clear();
  time.t += 600_000;
  const before = fleet.actions('web2').length;
  assert.equal((await provisionNode('web2', deps)).kind, 'done');
  assert.equal(fleet.actions('web2')[before], 'provision.lock');
  assert.ok(fleet.actions('web2').slice(before).includes('provision.gencsr'));
});

test('no master: the choice fails with the reason; a bad template fails without retrying', async () => {
  const { fleet, store, deps } = setup(testPipeline({ steps: { choose_master: { fallback: 'fail', criteria: ['region'] }, configure: { template: 'x: {{facts.zone}}' } } }));
  fleet.nodeFacts.set('ap1', { region: 'ap' });
  await provisionNode('ap1', deps);
  assert.match(store.record('ap1')!.error ?? '', /^choose_master: no master matches the node on region=ap and fallback is fail$/);
  await provisionNode('web1', deps);
  const r = store.record('web1')!;
  assert.match(r.error ?? '', /^configure: steps\.configure\.template: \{\{facts\.zone\}\} has no value for this node/);
  assert.equal(fleet.actions('web1').filter((a) => a === 'provision.configure').length, 0);
});

test('shutting down releases the node after the running step; another provisioner resumes it at once', async () => {
  const { fleet, store, deps, stop } = setup();
  fleet.handlers.set('gencsr', (c) => {
    stop.abort('test');
    return { csr: `CSR(${c.identity})`, certname: c.identity };
  });
  assert.deepEqual(await provisionNode('web1', deps), { kind: 'released' });
  const r = store.record('web1')!;
  assert.deepEqual([r.phase, r.owner, r.completed.at(-1)], ['pending', null, 'gencsr']);
  assert.ok(fleet.actions('web1').includes('provision.unlock'));
  const other = { ...deps, me: { owner: 'prov-b', instance: 'prov-b/1' }, stopping: new AbortController().signal };
  assert.deepEqual(await provisionNode('web1', other), { kind: 'done' });
});

test('the service: discovery, startup events and the bucket feed the queue; every node once', async () => {
  const { fleet, store, events, deps, log } = setup(testPipeline({ workers: 2 }));
  for (const id of ['n1', 'n2', 'n3']) fleet.nodeFacts.set(id, { region: 'us' });
  fleet.waitingNodes = ['n1', 'n2', 'n3'];
  const service = new Provisioner({ pipeline: deps.pipeline, fleet, store, notifiers: deps.notifiers, log: deps.log, time: deps.time });
  await service.start();
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  };
  await until(() => events.length === 3);
  fleet.nodeFacts.set('n4', { region: 'eu' });
  fleet.announce?.('n4');
  await until(() => events.length === 4);
  // A done node that shows up waiting again is not provisioned again; the operator is told once.
  const warned = () => log.lines.filter((l) => l.startsWith('warn n1 waits in the provisioning collective but was provisioned already')).length;
  fleet.announce?.('n1');
  await until(() => warned() === 1);
  fleet.announce?.('n1');
  await until(() => log.lines.some((l) => l.startsWith('debug skipped n1: provisioned already')));
  assert.equal(warned(), 1);
  await service.stop();
  assert.deepEqual(events.map((e) => e.identity).sort(), ['n1', 'n2', 'n3', 'n4']);
  assert.deepEqual((await store.list()).map((e) => [e.record.identity, e.record.phase]), [['n1', 'done'], ['n2', 'done'], ['n3', 'done'], ['n4', 'done']]);
  assert.equal(service.counts.done, 4);
});

test('the queue: each node once while queued or worked on, bounded, closing wakes the workers', async () => {
  const { WorkQueue } = await import('../../packages/provisioner/src/index.ts');
  const q = new WorkQueue(2);
  assert.equal(q.add('a'), true);
  assert.equal(q.add('a'), false, 'already queued');
  assert.equal(q.add('b'), true);
  assert.equal(q.add('c'), false, 'full');
  assert.equal(await q.take(), 'a');
  assert.equal(q.add('a'), false, 'being worked on');
  q.done('a');
  assert.equal(q.add('a'), true);
  assert.equal(q.size, 2);
  assert.equal(await q.take(), 'b');
  assert.equal(await q.take(), 'a');
  const waiting = q.take();
  q.close();
  assert.equal(await waiting, undefined);
  assert.equal(q.add('z'), false);
});

test('Puppet steps: a bootstrap run then the final run, between install_cert and configure', async () => {
  const steps = { choose_master: { criteria: ['region'] }, puppet_bootstrap: { enabled: true }, puppet_final: { enabled: true, environment: 'prod' }, configure: { template: 'identity: {{identity}}\n' } };
  const { fleet, deps } = setup(testPipeline({ steps }));
  assert.deepEqual(await provisionNode('web1', deps), { kind: 'done' });
  const provision = fleet.calls.filter((c) => c.identity === 'web1' && c.agent === 'provision');
  assert.deepEqual(provision.map((c) => c.action).slice(3, 7), ['install_cert', 'run_puppet', 'run_puppet', 'configure']);
  assert.deepEqual(provision.filter((c) => c.action === 'run_puppet').map((c) => c.data['environment']), ['bootstrap', 'prod']);
});
