// Issue 12, finding 3: the registry is written with the nodes' shared NATS
// credential (user cohortd of examples/secure), so anyone holding it can add,
// replace and delete records. On the secured example (TLS, users and
// permissions from examples/secure/setup.sh, real cohortd nodes with
// certified node keys), with that credential: a ghost node is not
// discovered, a node whose record was replaced or deleted is still
// discovered (and writes its record again), `registry check` reports what was
// ignored, and a fake record naming the CA agent never becomes a master for
// the provisioner. No --verify-replies anywhere: trust comes from the
// issuer in the operator's client config.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { headers, type NatsConnection } from 'nats';
import {
  callerInboxPrefix,
  createSigner,
  encodeRegistryMessage,
  generateKeyPair,
  loadSigner,
  RegistryTag,
  resolveBusAuth,
  sealRegistration,
  TrustStore,
  type RegistrationMessage,
} from '@cohort/core';
import { Client, connectBus } from '@cohort/client';
import { chooseMaster, rpcFleet } from '../../packages/provisioner/src/index.ts';
import { cohort, until, WaitTimeout } from '../harness/index.js';
import { missingOpenssl, startSecureFleet, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;
let attacker: NatsConnection;
const bucketSubject = (identity: string) => `$KV.cohort_registry_cohort.${identity}`;

const run = (args: string[]) => cohort(args, { env: env.env });

async function listed(): Promise<string[]> {
  const r = await run(['registry', 'list', '--json']);
  if (r.code !== 0) return [];
  return (JSON.parse(r.stdout) as Array<{ identity: string }>).map((x) => x.identity).sort();
}

function record(identity: string, fields: Partial<RegistrationMessage> = {}): RegistrationMessage {
  return {
    protocol: RegistryTag.Registration,
    identity,
    collectives: ['cohort'],
    facts: { role: 'web', ipaddress: '203.0.113.66' },
    classes: [],
    agents: ['ca', 'rpcutil'],
    version: '0.1.0',
    started_at: Date.now(),
    time: Date.now(),
    interval: 60,
    ...fields,
  };
}

/** Write into the registry bucket as the attacker: a plain publish on the key's subject (the stream captures it). */
async function put(identity: string, bytes: Uint8Array): Promise<void> {
  attacker.publish(bucketSubject(identity), bytes);
  await attacker.flush();
}

async function del(identity: string): Promise<void> {
  const h = headers();
  h.set('KV-Operation', 'DEL');
  attacker.publish(bucketSubject(identity), new Uint8Array(), { headers: h });
  await attacker.flush();
}

before(async () => {
  if (skip) return;
  env = await startSecureFleet([
    { identity: 'web1', role: 'web' },
    { identity: 'web2', role: 'web' },
    { identity: 'db1', role: 'db' },
  ]);
  attacker = await env.nodeBus();
  let now: string[] = [];
  await until('db1, web1 and web2 to register', async () => (now = await listed()).join() === 'db1,web1,web2', { timeoutMs: 60_000, everyMs: 250, log: () => now.join(), logName: 'listed' });
});
after(async () => {
  await attacker?.close();
  await env?.stop();
});

test('a node whose record is replaced or deleted with the nodes\' credential is still discovered, and writes its record again', { skip }, async () => {
  // web2's record replaced by one saying it is a db node hosting the CA; web1's deleted.
  await put('web2', encodeRegistryMessage(record('web2', { facts: { role: 'db' } })));
  await del('web1');
  const found = await run(['find', '-F', 'role=web', '-v']);
  assert.equal(found.code, 0, found.stderr);
  assert.deepEqual(found.stdout.trim().split('\n'), ['web1', 'web2'], found.stderr);
  const dbs = await run(['find', '-F', 'role=db']);
  assert.deepEqual(dbs.stdout.trim().split('\n'), ['db1'], 'the forged role=db record of web2 is not believed');
  // The nodes noticed, and their records verify again.
  const noticed = await waitFor(
    () =>
      /record of web2 in cohort_registry_cohort was replaced by someone else/.test(env.fleet.nodes.get('web2')!.log()) &&
      /record of web1 in cohort_registry_cohort was deleted by someone else/.test(env.fleet.nodes.get('web1')!.log()),
  );
  assert.ok(noticed, `${env.fleet.nodes.get('web2')!.log().slice(-2000)}`);
  assert.ok(await waitForAsync(async () => (await listed()).join() === 'db1,web1,web2' && !/IGNORED/.test((await run(['registry', 'check'])).stdout)), 'records written again');
  const check = await run(['registry', 'check']);
  assert.equal(check.code, 0, check.stdout);
  const auto = await run(['find', '-F', 'role=web', '-v']);
  assert.match(auto.stderr, /^registry discovery: 2 of 3 registered node\(s\) match$/m);
});

test('ghost nodes written with the nodes\' credential are not discovered; -v and registry check say what was ignored', { skip }, async () => {
  await put('ghost1', encodeRegistryMessage(record('ghost1')));
  // Signed, but by a key no trusted issuer certified.
  await put('ghost2', sealRegistration(record('ghost2'), createSigner(generateKeyPair().privateKey, 'ghost2')));
  const find = await run(['find', '-v']);
  assert.equal(find.code, 0, find.stderr);
  assert.deepEqual(find.stdout.trim().split('\n'), ['db1', 'web1', 'web2']);
  assert.match(find.stderr, /broadcast discovery: the registry may be incomplete: 2 registry record\(s\) ignored \(ghost1: unsigned record.*; ghost2: unknown key/);
  const list = await run(['registry', 'list', '-v']);
  assert.doesNotMatch(list.stdout, /ghost/);
  assert.match(list.stderr, /2 registry record\(s\) ignored \(not signed by a trusted key of the node they name\):\n {2}ghost1: unsigned record/);
  const check = await run(['registry', 'check']);
  assert.equal(check.code, 1, check.stdout);
  assert.match(check.stdout, /^REGISTRY WARNING: 3 of 3 node\(s\) current, 0 stale, 0 missing, 2 record\(s\) ignored\|.*ignoredrecords=2/);
  assert.match(check.stdout, /^IGNORED: ghost1: unsigned record/m);
  assert.match(check.stdout, /^IGNORED: ghost2: unknown key/m);
  // --dm registry uses only the verified records.
  const reg = await run(['find', '--dm', 'registry']);
  assert.deepEqual(reg.stdout.trim().split('\n'), ['db1', 'web1', 'web2']);
});

test('a fake record with agents [ca] is never a master candidate for the provisioner', { skip }, async () => {
  await put('evil-ca', encodeRegistryMessage(record('evil-ca')));
  // The CA agent claimed for a real node too (replaced record).
  await put('db1', encodeRegistryMessage(record('db1', { facts: { role: 'db', ipaddress: '203.0.113.66' } })));
  const config = yaml.load(readFileSync(env.clientConfig, 'utf8')) as { nats: { tls: { ca: string; cert: string; key: string }; user: string; password: string }; key: string; issuers: string[] };
  const auth = resolveBusAuth({ tls: config.nats.tls, user: config.nats.user, password: config.nats.password }, 'the operator');
  const signer = loadSigner({ kind: 'caller', keyFile: config.key });
  const trust = TrustStore.load({ kind: 'node', issuers: config.issuers });
  // The operator's own inboxes (the secure example's ACLs allow no others).
  const bus = await connectBus({ servers: [env.nats.url], auth, inboxPrefix: callerInboxPrefix('user=operator') });
  const production = await Client.connect({ servers: env.nats.url, bus, signer, nodeTrust: trust, verifyReplies: trust });
  const provisioning = await Client.connect({ servers: env.nats.url, bus, signer, collective: 'provisioning' });
  const unverifying = await Client.connect({ servers: env.nats.url, bus, signer });
  try {
    const fleet = rpcFleet({ provisioning, production: unverifying, verified: production, bus });
    const candidates = await fleet.nodesWithAgent('ca', 2);
    assert.deepEqual(candidates, [], 'no verified node hosts the CA agent');
    const chosen = chooseMaster({ identity: 'new1', facts: { role: 'web' } }, candidates, { criteria: [], fallback: 'first', hostFact: null, ipFact: 'ipaddress', port: 8140 });
    assert.ok('error' in chosen, JSON.stringify(chosen));
    // Without trusted node keys the provisioner takes no master at all.
    const blind = rpcFleet({ provisioning, production: unverifying, bus });
    await assert.rejects(blind.nodesWithAgent('ca', 2), /no verified ca node: masters\/CAs are taken only from nodes whose registry record or reply verifies/);
    const registry = await production.registry();
    assert.ok(registry.ignored().some((i) => i.identity === 'evil-ca'));
  } finally {
    // The three clients share one connection: the first close ends it.
    for (const c of [unverifying, provisioning, production]) await c.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
  }
});

async function waitFor(check: () => boolean): Promise<boolean> {
  return waitForAsync(async () => check());
}

async function waitForAsync(check: () => Promise<boolean>, ms = 60_000): Promise<boolean> {
  return until('the condition', check, { timeoutMs: ms, everyMs: 250 }).then(
    () => true,
    (err: unknown) => (err instanceof WaitTimeout ? check() : Promise.reject(err)),
  );
}
