// The CLI's file of signatures that verified, driven as a user drives it:
// the first `cohort ping` with registry discovery verifies every node
// certificate and registry record and keeps their digests in
// $XDG_CACHE_HOME/cohort/verified-signatures (0600, in a 0700 directory);
// the next run finds them there and checks none again; an unchanged answer
// either way. COHORT_SIGNATURE_CACHE=off turns it off. What a warm file does
// not change (trust decisions, forged records) is in test/unit/signature-file.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cohort, startFleet, startNatsServer, syntheticNodes, type Fleet, type NatsServer } from '../harness/index.js';

let nats: NatsServer;
let fleet: Fleet;
const nodes = syntheticNodes(3);

before(async () => {
  nats = await startNatsServer({ jetstream: true });
  fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes, pluginDirs: [], registry: true });
});
after(async () => {
  await fleet?.stop();
  await nats?.stop();
});

/** The run's `timing: signatures: H verified in an earlier run, N new, in FILE` line. */
function signatures(stderr: string): { earlier: number; fresh: number; file: string } | undefined {
  const m = /^timing: signatures: (\d+) verified in an earlier run, (\d+) new, in (.+)$/m.exec(stderr);
  return m ? { earlier: Number(m[1]), fresh: Number(m[2]), file: m[3]! } : undefined;
}

test('a second run with registry discovery checks none of the signatures the first one verified', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'cohort-xdg-cache-'));
  const env = { ...fleet.clientEnv, XDG_CACHE_HOME: cache, COHORT_TIMING: '1' };
  const ping = async (extra: Record<string, string> = {}) => {
    const r = await cohort(['rpc', 'rpcutil', 'ping', '-v'], { nats: nats.url, env: { ...env, ...extra } });
    assert.equal(r.code, 0, r.stderr);
    for (const n of nodes) assert.match(r.stdout, new RegExp(n.identity));
    assert.match(r.stderr + r.stdout, /registry/i, 'discovered through the registry');
    return r;
  };
  const first = signatures((await ping()).stderr);
  assert.ok(first, 'the run reports its signatures file');
  assert.equal(first.file, join(cache, 'cohort', 'verified-signatures'));
  assert.equal(first.earlier, 0);
  assert.ok(first.fresh >= nodes.length, `one or more signatures per node verified (${first.fresh})`);
  assert.equal(statSync(first.file).mode & 0o777, 0o600);
  assert.equal(statSync(join(cache, 'cohort')).mode & 0o777, 0o700);
  const second = signatures((await ping()).stderr);
  assert.ok(second);
  assert.deepEqual({ earlier: second.earlier, fresh: second.fresh }, { earlier: first.fresh, fresh: 0 }, 'every signature came from the file');
  // Turned off: no file is read or written.
  const off = mkdtempSync(join(tmpdir(), 'cohort-xdg-cache-'));
  const r = await ping({ COHORT_SIGNATURE_CACHE: 'off', XDG_CACHE_HOME: off });
  assert.equal(signatures(r.stderr), undefined);
  assert.equal(existsSync(join(off, 'cohort', 'verified-signatures')), false);
});
