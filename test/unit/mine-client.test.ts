// The client side of the mine without a bus: verifying values, judging them
// (fresh, stale, failed, missing, refused) and the exit code, choosing the
// nodes a filter names, and the export mirror's files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFilter, createSigner, generateKeyPair, mineKey, publicKeyHex, sealDataBytes, TrustStore, type MineValue } from '@cohort/core';
import { mine } from '@cohort/client';

const n1 = generateKeyPair();
const n2 = generateKeyPair();
const trust = new TrustStore(
  'node',
  new Map([
    [publicKeyHex(n1.publicKey), 'n1'],
    [publicKeyHex(n2.publicKey), 'n2'],
  ]),
  new Set(),
);
const now = 1_800_000_000_000;
const value = (identity: string, extra: Partial<MineValue> = {}): MineValue => ({
  function: 'f',
  identity,
  time: now - 1000,
  interval: 60,
  duration_ms: 3,
  statuscode: 0,
  statusmsg: 'OK',
  source: 'config',
  output: `out of ${identity}\n`,
  ...extra,
});
const seal = (v: MineValue, key = v.identity === 'n2' ? n2 : n1) => sealDataBytes('mine', v, createSigner(key.privateKey, v.identity), v.time);

test('a value verifies only for its node, key and function', () => {
  const ok = mine.verifyMineEntry(mineKey('f', 'n1'), seal(value('n1')), trust, now);
  assert.equal(typeof ok === 'string' ? ok : ok.output, 'out of n1\n');
  // n2's key signing a value for n1 (a node writing another's value).
  assert.match(String(mine.verifyMineEntry(mineKey('f', 'n1'), sealDataBytes('mine', value('n1'), createSigner(n2.privateKey, 'n2')), trust, now)), /data for 'n2' where data for 'n1' was expected/);
  // n1's own value moved under n2's key.
  assert.match(String(mine.verifyMineEntry(mineKey('f', 'n2'), seal(value('n1')), trust, now)), /where data for 'n2' was expected/);
  // Renamed function.
  assert.match(String(mine.verifyMineEntry(mineKey('g', 'n1'), seal(value('n1')), trust, now)), /stored under g\.n1/);
  // Unknown key.
  assert.match(String(mine.verifyMineEntry(mineKey('f', 'n1'), seal(value('n1'), generateKeyPair()), trust, now)), /unknown key/);
});

test('the thread-pool verifier (readMine\'s) gives the sync verifier\'s answers: forged, altered and unsigned values refused', async () => {
  const good = seal(value('n1'));
  const text = new TextDecoder().decode(good);
  // The value altered after signing (the signature no longer covers it).
  const altered = new TextEncoder().encode(text.replace('out of n1', 'out of n9'));
  // A signature that is not n1's over the same data.
  const envelope = JSON.parse(text) as { signature: string };
  const forged = new TextEncoder().encode(JSON.stringify({ ...envelope, signature: envelope.signature.startsWith('0') ? `1${envelope.signature.slice(1)}` : `0${envelope.signature.slice(1)}` }));
  // No signature at all: the bare value.
  const unsigned = new TextEncoder().encode(JSON.stringify(value('n1')));
  const cases: Array<[string, Uint8Array, RegExp | undefined]> = [
    [mineKey('f', 'n1'), good, undefined],
    [mineKey('f', 'n1'), altered, /signature does not verify/],
    [mineKey('f', 'n1'), forged, /signature does not verify/],
    [mineKey('f', 'n1'), unsigned, /protocol/],
    [mineKey('f', 'n2'), good, /where data for 'n2' was expected/],
    [mineKey('g', 'n1'), good, /stored under g\.n1/],
    ['nodot', good, /not a mine key/],
  ];
  for (const [key, bytes, refused] of cases) {
    const sync = mine.verifyMineEntry(key, bytes, trust, now);
    const async = await mine.verifyMineEntryAsync(key, bytes, trust, now);
    assert.deepEqual(async, sync, key);
    if (refused === undefined) assert.equal(typeof async === 'string' ? async : async.output, 'out of n1\n');
    else assert.match(String(async), refused, key);
  }
});

test('mine get reads the registry only for filters evaluated on it', () => {
  assert.equal(mine.mineNeedsRegistry(buildFilter({})), false);
  assert.equal(mine.mineNeedsRegistry(buildFilter({ identity: ['web1', 'web2'] })), false);
  assert.equal(mine.mineNeedsRegistry(buildFilter({ identity: ['/^web/'] })), true);
  assert.equal(mine.mineNeedsRegistry(buildFilter({ fact: ['os=linux'] })), true);
  assert.equal(mine.mineNeedsRegistry(buildFilter({ cls: ['web'] })), true);
});

test('rows, stats and exit codes: fresh 0, anything else 1, nothing 3', () => {
  const readings = new Map<string, mine.Reading>([
    ['n1', value('n1')],
    ['n2', value('n2', { time: now - 121_000 })],
    ['n3', value('n3', { statuscode: 1, statusmsg: 'timed out', output: undefined })],
    ['n4', { refused: 'unknown key' }],
  ]);
  const all = mine.mineRows('f', ['n1', 'n2', 'n3', 'n4', 'n5'], readings, now);
  assert.deepEqual(all.values.map((v) => [v.identity, v.state, v.stale]), [
    ['n1', 'fresh', false],
    ['n2', 'stale', true],
    ['n3', 'failed', false],
    ['n4', 'refused', false],
    ['n5', 'missing', false],
  ]);
  assert.deepEqual(all.stats, { matched: 5, fresh: 1, stale: 1, missing: 1, failed: 2 });
  assert.equal(all.values[0]?.age_s, 1);
  assert.equal(mine.mineExitCode(all.stats), 1);
  assert.equal(mine.mineExitCode(mine.mineRows('f', ['n1'], readings, now).stats), 0);
  assert.equal(mine.mineExitCode(mine.mineRows('f', [], readings, now).stats), 3);
  assert.equal(mine.mineRows('f', ['n1'], readings, now, 500).values[0]?.state, 'stale', '--max-age replaces twice the interval');
});

test('targets: no filter = holders; plain identities as given; other filters as registry discovery', () => {
  const registered = [
    { identity: 'web1', facts: { role: 'web' } },
    { identity: 'db1', facts: { role: 'db' } },
  ].map((n) => ({ identity: n.identity, updatedAt: now, record: {} as never, verified: true, view: { identity: n.identity, facts: n.facts, classes: [], agents: [] } }));
  assert.deepEqual(mine.mineTargets(buildFilter({}), registered, ['web1', 'dead1']), ['dead1', 'web1']);
  assert.deepEqual(mine.mineTargets(buildFilter({ identity: ['ghost', 'web1'] }), registered, []), ['ghost', 'web1']);
  assert.deepEqual(mine.mineTargets(buildFilter({ fact: ['role=web'] }), registered, ['web1', 'dead1']), ['web1']);
  assert.deepEqual(mine.mineTargets(buildFilter({ identity: ['/^dead/'] }), registered, ['dead1']), ['dead1'], 'gone from the registry, still matched by identity');
  assert.throws(() => mine.mineTargets(buildFilter({ select: ["fstat('/etc/x').present=true"] }), registered, []), /node-side data \(fstat\(\)\)/);
});

test('the mirror: one file per node, replaced whole; stale marked; removed values removed; refused never written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mine-mirror-'));
  writeFileSync(join(dir, 'leftover'), 'cohort-mine/1 fresh 1 2 0\nold\n');
  writeFileSync(join(dir, 'notes.txt'), 'not ours\n');
  let clock = now;
  const warnings: string[] = [];
  // This boot started an hour before `now`: the header's seconds-since-boot fields follow from it.
  const bootClock = () => ({ id: '5d1f3c2e-0000-4000-8000-000000000001', startedMs: now - 3_600_000 });
  const m = new mine.MineMirror({ dir, fn: 'f', trust, clock: () => clock, bootClock, warn: (w) => warnings.push(w) });
  m.apply({ key: mineKey('f', 'n1'), value: seal(value('n1', { interval: 1 })), created: now });
  m.apply({ key: mineKey('f', 'n2'), value: seal(value('n2', { statuscode: 5, statusmsg: 'boom', output: undefined })), created: now });
  m.apply({ key: mineKey('other', 'n1'), value: seal(value('n1', { function: 'other' })), created: now });
  m.apply({ key: mineKey('f', 'n3'), value: seal(value('n1'), n1), created: now });
  m.prune();
  assert.deepEqual(readdirSync(dir).sort(), ['n1', 'n2', 'notes.txt']);
  assert.equal(readFileSync(join(dir, 'n1'), 'utf8'), `cohort-mine/1 fresh ${Math.floor((now - 1000) / 1000)} ${Math.ceil((now + 1000) / 1000)} 0 ${now - 1000} 5d1f3c2e-0000-4000-8000-000000000001 3599 3601\nout of n1\n`);
  assert.match(readFileSync(join(dir, 'n2'), 'utf8'), /^cohort-mine\/1 failed \d+ \d+ 5 \d+ [0-9a-f-]+ \d+ \d+\nboom\n$/);
  assert.match(warnings.join('\n'), /ignoring the value of n3/);
  // Time passes beyond twice the interval: the timer rewrites n1 as stale.
  clock = now + 5000;
  const deadline = Date.now() + 30_000;
  while (!readFileSync(join(dir, 'n1'), 'utf8').startsWith('cohort-mine/1 stale ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.match(readFileSync(join(dir, 'n1'), 'utf8'), /^cohort-mine\/1 stale /);
  m.apply({ key: mineKey('f', 'n1'), value: undefined, created: now });
  assert.deepEqual(readdirSync(dir).sort(), ['n2', 'notes.txt']);
  m.stop();
});

test('the mirror on tmpfs writes the boot id "-" (no file there outlives the boot); elsewhere the real id', { skip: mine.diesWithBoot('/dev/shm') ? false : 'no tmpfs /dev/shm here' }, () => {
  const real = mine.readBootClock();
  for (const [base, id] of [['/dev/shm', mine.thisBootOnly], [tmpdir(), mine.diesWithBoot(tmpdir()) ? mine.thisBootOnly : real?.id]] as const) {
    const dir = mkdtempSync(join(base, 'mine-mirror-ram-'));
    const m = new mine.MineMirror({ dir, fn: 'f', trust, clock: () => now });
    m.apply({ key: mineKey('f', 'n1'), value: seal(value('n1')), created: now });
    m.stop();
    const fields = readFileSync(join(dir, 'n1'), 'utf8').split('\n', 1)[0]!.split(' ');
    assert.equal(fields[6], id, `${base}: ${fields.join(' ')}`);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readMine: every value of the function, verified (through the shared signed-bucket reader); missing bucket', async () => {
  const stored = new Map<string, Uint8Array>([
    [mineKey('f', 'n1'), seal(value('n1'))],
    [mineKey('f', 'n2'), sealDataBytes('mine', value('n2'), createSigner(n1.privateKey, 'n1'))],
    [mineKey('g', 'n1'), seal({ ...value('n1'), function: 'g' })],
  ]);
  const open: mine.MineKvOpener = async (name) =>
    name !== 'cohort_mine_cohort'
      ? { missing: `there is no bucket ${name} yet` }
      : {
          put: async () => undefined,
          delete: async () => undefined,
          watch: async (filter, onEntry) => {
            for (const [key, v] of stored) if (key.startsWith(filter.slice(0, -1))) onEntry({ key, value: v, created: now });
            return { stop: async () => undefined };
          },
        };
  const read = await mine.readMine(open, 'cohort', 'f', trust, () => now);
  assert.equal(read.missing, undefined);
  assert.deepEqual([...read.readings.keys()].sort(), ['n1', 'n2']);
  assert.equal((read.readings.get('n1') as MineValue).output, 'out of n1\n');
  assert.match((read.readings.get('n2') as { refused: string }).refused, /data for 'n1' where data for 'n2' was expected/);
  const missing = await mine.readMine(open, 'other', 'f', trust, () => now);
  assert.match(missing.missing ?? '', /no bucket cohort_mine_other/);
  assert.equal(missing.readings.size, 0);
});

test('readMine with a store that remembers signatures (web console, mirror): a value read again is not re-checked; a changed, forged or altered one is', async () => {
  const remembering = new TrustStore('node', new Map([[publicKeyHex(n1.publicKey), 'n1'], [publicKeyHex(n2.publicKey), 'n2']]), new Set()).rememberSignatures();
  const stored = new Map<string, Uint8Array>([
    [mineKey('f', 'n1'), seal(value('n1'))],
    [mineKey('f', 'n2'), seal(value('n2'))],
  ]);
  const open: mine.MineKvOpener = async () => ({
    put: async () => undefined,
    delete: async () => undefined,
    watch: async (_filter, onEntry) => {
      for (const [key, v] of stored) onEntry({ key, value: v, created: now });
      return { stop: async () => undefined };
    },
  });
  const memo = remembering.signatures;
  assert.ok(memo);
  const first = await mine.readMine(open, 'cohort', 'f', remembering, () => now);
  assert.equal((first.readings.get('n2') as MineValue).output, 'out of n2\n');
  assert.deepEqual([memo.checks, memo.hits], [2, 0]);
  // Read again: both remembered. Then n2's value changes (checked), and n1's is altered on the bus (checked, refused).
  await mine.readMine(open, 'cohort', 'f', remembering, () => now);
  assert.deepEqual([memo.checks, memo.hits], [2, 2]);
  stored.set(mineKey('f', 'n2'), seal(value('n2', { output: 'new out of n2\n', time: now - 500 })));
  stored.set(mineKey('f', 'n1'), new TextEncoder().encode(new TextDecoder().decode(stored.get(mineKey('f', 'n1'))).replace('out of n1', 'out of n9')));
  for (let round = 0; round < 2; round++) {
    const read = await mine.readMine(open, 'cohort', 'f', remembering, () => now);
    assert.equal((read.readings.get('n2') as MineValue).output, 'new out of n2\n');
    assert.match((read.readings.get('n1') as { refused: string }).refused, /signature does not verify/);
  }
  assert.equal(memo.checks, 2 + 1 + 2, 'the new value checked once, the altered one every time');
});
