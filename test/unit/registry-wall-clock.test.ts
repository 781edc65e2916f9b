// A Registry judges its records' ages on the wall clock: the records carry
// the server's write time (unix ms). Found in session 11: Registry took the
// client's monotonic Clock (performance.now(), ms since the process started)
// as "now", so every record looked written in the future; a record past the
// bucket's max age stayed listed by a client that watches (the web console,
// the DNS server, the Nagios hosts sync: expiry sends no delete), and a
// registry nobody had refreshed for ten minutes still counted as fresh for
// discovery instead of falling back to broadcast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyFilter, registryBucket, registryKey, RegistryTag, type RegistrationMessage } from '@cohort/core';
import { Registry, type Bus, type BucketEntry } from '@cohort/client';
import { TestIssuer } from '../harness/signed-registry.ts';

const issuer = new TestIssuer();
const trust = issuer.trust();

/** A node's record, signed by its certified key, as written `ageMs` ago. */
function entry(identity: string, ageMs: number): BucketEntry {
  const time = Date.now() - ageMs;
  const record: RegistrationMessage = { protocol: RegistryTag.Registration, identity, collectives: ['cohort'], facts: {}, classes: [], agents: ['rpcutil'], version: '1', started_at: time, time, interval: 60 };
  return { key: registryKey(identity), value: issuer.seal(record), created: time, operation: 'PUT' };
}

/** A bus whose registry bucket holds `entries` (max age `maxAgeMs`), read once or watched. */
function bus(entries: BucketEntry[], maxAgeMs: number): Bus {
  const deliver = async (name: string, onEntry: (e: BucketEntry) => void) => {
    assert.equal(name, registryBucket('cohort'));
    for (const e of entries) onEntry(e);
    return { maxAgeMs };
  };
  return { readBucket: deliver, watchBucket: async (name: string, onEntry: (e: BucketEntry) => void) => ({ ...(await deliver(name, onEntry)), stop: async () => undefined }) } as unknown as Bus;
}

for (const watch of [true, false]) {
  const how = watch ? 'watched' : 'read once';
  test(`a record older than the bucket's max age is not listed (${how})`, async () => {
    const registry = await Registry.open(bus([entry('old', 5 * 60_000), entry('new', 1000)], 2 * 60_000), 'cohort', trust, { watch });
    assert.equal(registry.unavailable, undefined);
    assert.deepEqual(
      registry.nodes().map((n) => n.identity),
      ['new'],
    );
    assert.equal(registry.node('old'), undefined);
    assert.equal(registry.node('new')?.identity, 'new');
  });

  test(`a registry nobody refreshed within the heartbeat is stale: auto discovery broadcasts (${how})`, async () => {
    // Written 5 minutes ago with a 60 s heartbeat; the bucket keeps records 10 minutes.
    const registry = await Registry.open(bus([entry('web1', 5 * 60_000), entry('web2', 5 * 60_000)], 10 * 60_000), 'cohort', trust, { watch });
    assert.deepEqual(
      registry.nodes().map((n) => n.identity),
      ['web1', 'web2'],
    );
    const state = registry.state();
    assert.equal(state.kind, 'loaded');
    assert.ok(state.kind === 'loaded' && Math.abs(state.now - Date.now()) < 60_000, 'now is wall-clock time');
    const decision = registry.decide('auto', emptyFilter());
    assert.equal(decision.method, 'broadcast');
    assert.match(decision.note, /stale|refreshed/);
    // --dm registry still uses it, and says it is stale.
    assert.match(registry.decide('registry', emptyFilter()).note, /stale/);
  });
}
