// The client config as data: declared in core (clientConfigSpec) with the
// server's own `nats:` section, checked by the validator precompiled at build
// time, and read by the client loader with its format's conveniences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientConfigSpec, describeConfig, layerProblem } from '@cohort/core';
import { serverConfigSpec } from '@cohort/agents';
import { clientConfigKeys, parseClientConfig } from '@cohort/cli';
import { clientDefaults } from '@cohort/client';
import { jobRetentionDefaults } from '../../packages/client/src/jobs/index.ts';
import { kvCreateDefaults } from '../../packages/client/src/kv/index.ts';

const file = '/etc/cohort/client.yaml';

test('the nats: section is one declaration shared by the client and server specs', () => {
  assert.equal(clientConfigSpec.nats, serverConfigSpec.nats);
  assert.match(parseError('nats: { url: x }'), /unknown key 'nats\.url'.*nats\.servers, nats\.tls, nats\.user/);
});

test('every key the file takes is documented from the spec, with its default', () => {
  assert.deepEqual(Object.keys(clientConfigKeys), Object.keys(clientConfigSpec));
  const text = describeConfig(clientConfigSpec).join('\n');
  for (const key of ['nats.servers', 'collective', 'discovery_timeout', 'jobs.max_age', 'kv.history', 'verify_replies']) assert.match(text, new RegExp(`^  ${key.replace('.', '\\.')} = `, 'm'));
  assert.match(text, /key = none {3}\(COHORT_KEY, --key\)/);
});

test('defaults are written once, in the spec, and the client uses them', () => {
  assert.equal(clientDefaults.collective, clientConfigSpec.collective.default);
  assert.equal(clientDefaults.discoveryTimeout, 2);
  assert.equal(clientDefaults.discoveryWindow, 0.3);
  assert.deepEqual({ ...jobRetentionDefaults }, { maxAgeSeconds: 86400, maxBytes: 256 * 1024 * 1024, maxMessages: 100_000 });
  assert.deepEqual({ ...kvCreateDefaults }, { history: clientConfigSpec.kv.history.default, replicas: clientConfigSpec.kv.replicas.default });
});

test('layerProblem reports the first problem as data: unknown key, bad item, non-mapping section', () => {
  assert.equal(layerProblem(clientConfigSpec, { collective: 'dc1', kv: { history: 3 } }), undefined);
  assert.deepEqual(layerProblem(clientConfigSpec, { kv: { histroy: 3 } }), { kind: 'unknown', path: ['kv', 'histroy'], known: ['bucket', 'history', 'replicas'], guess: 'history' });
  const bad = layerProblem(clientConfigSpec, { kv: { history: 99 } });
  assert.equal(bad?.kind, 'item');
  assert.deepEqual(bad?.path, ['kv', 'history']);
  assert.deepEqual(layerProblem(clientConfigSpec, { jobs: 5 }), { kind: 'section', path: ['jobs'], keys: ['max_age', 'max_bytes', 'max_messages'] });
});

test("the client format: one URL or comma-separated servers, ~ paths, null means unset; the shared URL rule applies", () => {
  assert.deepEqual(parseClientConfig('nats: "nats://a:1, tls://b:2"\n', file).servers, ['nats://a:1', 'tls://b:2']);
  const { security } = parseClientConfig('nats: { tls: { ca: ~/ca.pem }, creds: c.creds }\nkey: null\nissuers: ~/i.pub\n', file, '/home/u');
  assert.deepEqual(security, { bus: { tls: { ca: '/home/u/ca.pem' }, creds: '/etc/cohort/c.creds' }, issuers: ['/home/u/i.pub'], verifyReplies: false });
  assert.match(parseError('nats: { servers: ["nats://a:1/x"] }'), /config \/etc\/cohort\/client\.yaml: key 'nats\.servers' must be a list of URLs/);
  assert.match(parseError('nats: 3'), /key 'nats' must be a section \(a mapping with keys servers, tls/);
  assert.match(parseError('nats: { tls: { cax: a } }'), /unknown key 'nats\.tls\.cax' \(did you mean 'nats\.tls\.ca'\?\)/);
  assert.match(parseError('kv: { replicas: 9 }'), /key 'kv\.replicas' must be a whole number from 1 to 5 \(got 9\)/);
});

function parseError(text: string): string {
  try {
    parseClientConfig(`${text}\n`, file);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`parseClientConfig accepted ${text}`);
}
