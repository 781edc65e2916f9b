// The measuring aids of issue 14, driven as a user drives them: the CLI's
// start-up phases (COHORT_TIMING=1) and the daemon's on-demand event-loop
// delay monitor (rpcutil daemon_stats). Phases are checked for order and
// presence only: performance figures live in `pnpm bench`, never in tests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cohort, startFleet, startNatsServer, syntheticNodes, type Fleet, type NatsServer } from '../harness/index.js';

let nats: NatsServer;
let fleet: Fleet;
const nodes = syntheticNodes(2);

before(async () => {
  nats = await startNatsServer({ jetstream: true });
  fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes, pluginDirs: [], registry: true });
});
after(async () => {
  await fleet?.stop();
  await nats?.stop();
});

function phases(stderr: string): Array<{ ms: number; name: string }> {
  return [...stderr.matchAll(/^timing:\s+([\d.]+) ms\s+\(\+[\d.]+\)\s+(.+)$/gm)].map((m) => ({ ms: Number(m[1]), name: m[2]! }));
}

test('COHORT_TIMING=1 prints the phases of a run in order, from start to the first request on the wire and the end', async () => {
  const list = join(mkdtempSync(join(tmpdir(), 'cohort-timing-')), 'nodes.txt');
  writeFileSync(list, nodes.map((n) => n.identity).join('\n') + '\n');
  for (const args of [['--nodes', list], []]) {
    const r = await cohort(['rpc', 'rpcutil', 'ping', ...args], { nats: nats.url, env: { ...fleet.clientEnv, COHORT_TIMING: '1' } });
    assert.equal(r.code, 0, r.stderr);
    for (const n of nodes) assert.match(r.stdout, new RegExp(n.identity));
    const seen = phases(r.stderr);
    const names = seen.map((p) => p.name);
    const expected = ['CLI code loaded', 'command loaded', 'connected to NATS', ...(args.length ? [] : ['discovered (registry)']), 'requests published', 'first reply', 'done'];
    assert.deepEqual(names.filter((n) => expected.includes(n)), expected, r.stderr);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.ms >= seen[i - 1]!.ms, r.stderr);
  }
  // Without the variable nothing extra is printed.
  const quiet = await cohort(['rpc', 'rpcutil', 'ping', '--nodes', list], { nats: nats.url });
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /timing:/);
});

test('a cohort rpc run loads no ES module and none of the built-ins it does not use (docs/performance.md, session 11)', async () => {
  // What each of these cost every run: node's ES module loader and an ES module import of a CommonJS file
  // (ajv's run-time helpers, scanned by cjs-module-lexer), node:fs' and node:crypto's ES module facades
  // (fs/promises with readline, webcrypto), and nats.js' dns and web streams (scripts/build/nats-lazy-builtins.mjs).
  const dir = mkdtempSync(join(tmpdir(), 'cohort-modules-'));
  const preload = join(dir, 'modules.cjs');
  const out = join(dir, 'modules.txt');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`);
  const r = await cohort(['rpc', 'rpcutil', 'ping'], { nats: nats.url, env: { ...fleet.clientEnv, NODE_OPTIONS: `--require ${preload}` } });
  assert.equal(r.code, 0, r.stderr);
  for (const n of nodes) assert.match(r.stdout, new RegExp(n.identity));
  const loaded = new Set(readFileSync(out, 'utf8').split('\n'));
  assert.ok(loaded.has('NativeModule net') && loaded.has('NativeModule crypto'), 'the list is node\'s module list');
  const unwanted = [
    'internal/modules/esm/translators',
    'internal/modules/esm/module_job',
    'internal/deps/cjs-module-lexer/lexer',
    'internal/fs/promises',
    'internal/readline/interface',
    'internal/crypto/webcrypto',
    'dns',
    'internal/webstreams/readablestream',
  ].filter((m) => loaded.has(`NativeModule ${m}`));
  assert.deepEqual(unwanted, []);
});

test('an idle daemon measures its event-loop delay only once asked: the first daemon_stats starts it, later ones report windows', async () => {
  const identity = nodes[0]!.identity;
  const lag = async (): Promise<{ window_s: number; p99: number; max: number }> => {
    const r = await cohort(['rpc', 'rpcutil', 'daemon_stats', '-I', identity, '--json'], { nats: nats.url });
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { replies: Array<{ data: { event_loop_lag_ms: { window_s: number; p99: number; max: number } } }> }).replies[0]!.data.event_loop_lag_ms;
  };
  assert.equal((await lag()).window_s, 0, 'nothing was measured before the first question');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await lag();
    if (now.window_s > 0) {
      assert.ok(now.p99 <= now.max, JSON.stringify(now));
      break;
    }
    assert.ok(Date.now() < deadline, 'daemon_stats never reported a measured window');
    await new Promise((r) => setTimeout(r, 200));
  }
});
