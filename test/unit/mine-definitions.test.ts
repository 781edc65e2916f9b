// Fleet-wide mine definitions as a node judges them: a trusted signer whose
// policy allows the action is run; an unknown key, a denied caller, a
// forged or renamed definition, or a command, is refused and audited once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigner, emptyFilter, generateKeyPair, PolicyStore, publicKeyHex, sealDataBytes, TrustStore, type AuditRecord, type MineFunction, type NodeView } from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { BusDefinitions, type WatchedEntry } from '@cohort/server';

const alice = generateKeyPair();
const mallory = generateKeyPair();
const eve = generateKeyPair();
const trust = new TrustStore(
  'caller',
  new Map([
    [publicKeyHex(alice.publicKey), 'user=alice'],
    [publicKeyHex(mallory.publicKey), 'user=mallory'],
  ]),
  new Set(),
);
const view: NodeView = { identity: 'n1', facts: { role: 'web' }, classes: [], agents: ['rpcutil'] };

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'mine-defs-'));
  writeFileSync(join(dir, 'rpcutil.policy'), 'policy default deny\nallow\tuser=alice\t*\t*\t*\n');
  const audits: AuditRecord[] = [];
  let functions: MineFunction[] = [];
  let feed: ((e: WatchedEntry) => void) | undefined;
  const defs = new BusDefinitions({
    collectives: ['cohort'],
    watch: async (_name, onEntry) => {
      feed = onEntry;
      return { stop: () => undefined };
    },
    trust: () => trust,
    policies: new PolicyStore({ dir, defaultEffect: 'deny' }),
    audit: { write: (r) => (audits.push(r as AuditRecord), true), close: () => undefined },
    view: () => view,
    log: silentLogger(),
    onChange: (f) => (functions = f),
  });
  return {
    defs,
    audits,
    functions: () => functions,
    put: (key: string, bytes: Uint8Array) => feed?.({ key, value: bytes }),
    remove: (key: string) => feed?.({ key, value: undefined }),
  };
}

const def = (name: string, extra: Record<string, unknown> = {}) => ({ name, agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'role' }, interval: 30, filter: emptyFilter(), ...extra });

test('a trusted, authorized definition becomes a function; removing it removes the function', async () => {
  const s = setup();
  await s.defs.start();
  s.put('os', sealDataBytes('mine-definition', def('os'), createSigner(alice.privateKey, 'user=alice')));
  assert.deepEqual(s.functions().map((f) => [f.name, f.kind, f.definedBy, f.intervalMs]), [['os', 'action', 'user=alice', 30_000]]);
  assert.equal(s.audits.length, 1);
  assert.equal(s.audits[0]?.outcome, 'allowed');
  assert.equal(s.audits[0]?.callerid, 'user=alice');
  assert.equal(s.audits[0]?.verified, true);
  // Re-evaluating (facts changed) does not audit again.
  s.defs.refresh();
  assert.equal(s.audits.length, 1);
  s.remove('os');
  assert.deepEqual(s.functions(), []);
});

test('refused: a denied caller, an unknown key, a forged body, a renamed key, a command', async () => {
  const s = setup();
  await s.defs.start();
  s.put('sneaky', sealDataBytes('mine-definition', def('sneaky'), createSigner(mallory.privateKey, 'user=mallory')));
  s.put('evil', sealDataBytes('mine-definition', def('evil'), createSigner(eve.privateKey, 'user=alice')));
  const forged = JSON.parse(new TextDecoder().decode(sealDataBytes('mine-definition', def('forged'), createSigner(alice.privateKey, 'user=alice')))) as { data: string };
  forged.data = forged.data.replace('get_fact', 'inventory');
  s.put('forged', new TextEncoder().encode(JSON.stringify(forged)));
  s.put('other', sealDataBytes('mine-definition', def('renamed'), createSigner(alice.privateKey, 'user=alice')));
  s.put('cmd', sealDataBytes('mine-definition', def('cmd', { command: ['/bin/sh'] }), createSigner(alice.privateKey, 'user=alice')));
  s.put('junk', new TextEncoder().encode('not json'));
  assert.deepEqual(s.functions(), []);
  const by = (id: string) => s.audits.filter((a) => a.request_id === `mine-definition:${id}`);
  assert.equal(by('sneaky')[0]?.outcome, 'denied');
  assert.equal(by('sneaky')[0]?.callerid, 'user=mallory');
  assert.match(by('evil')[0]?.reason ?? '', /unknown key/);
  assert.equal(by('evil')[0]?.outcome, 'refused');
  assert.match(by('forged')[0]?.reason ?? '', /signature does not verify/);
  assert.match(by('other')[0]?.reason ?? '', /stored under 'other' but names itself 'renamed'/);
  assert.match(by('cmd')[0]?.reason ?? '', /commands can never be defined from the bus/);
  assert.match(by('junk')[0]?.reason ?? '', /malformed definition/);
  for (const id of ['sneaky', 'evil', 'forged', 'other', 'cmd', 'junk']) assert.equal(by(id).length, 1, `${id} audited once`);
});

test('a definition for other nodes is ignored without an audit line', async () => {
  const s = setup();
  await s.defs.start();
  s.put('db', sealDataBytes('mine-definition', def('db', { filter: { ...emptyFilter(), fact: [{ fact: 'role', operator: '==', value: 'db' }] } }), createSigner(alice.privateKey, 'user=alice')));
  assert.deepEqual(s.functions(), []);
  assert.equal(s.audits.length, 0);
});
