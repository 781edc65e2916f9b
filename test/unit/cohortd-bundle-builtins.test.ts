// The daemon's bundles patch nats.js so that tls, dns, webcrypto, web streams
// and perf_hooks are loaded on first use, not at start
// (scripts/build/nats-lazy-builtins.mjs; docs/performance.md,
// "Idle RSS: nats.js' built-in modules"). TLS connections through the patched
// transport: test/integration/extra-ca-certs.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../harness/fleet.js';

const serverRequire = createRequire(join(repoRoot, 'packages/server/package.json'));
const natsLib = join(dirname(serverRequire.resolve('nats/package.json')), 'lib');
const plugin = (await import(pathToFileURL(join(repoRoot, 'scripts/build/nats-lazy-builtins.mjs')).href)) as {
  natsPatches: Record<string, [string, string][]>;
  patchNats(file: string, text: string): string;
  natsLazyBuiltins: unknown;
};

/** Built-in modules the patch defers (as process.moduleLoadList names them). */
const deferred = ['tls', 'dns', 'perf_hooks', 'internal/crypto/webcrypto', 'internal/webstreams/readablestream'];
const loadedDeferred = `process.moduleLoadList.filter((m) => ${JSON.stringify(deferred.map((d) => `NativeModule ${d}`))}.includes(m)).map((m) => m.slice(13))`;

/** Stdout of `code` run by node (from a file: a bundle is too long for one argument). */
function node(code: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-bundle-builtins-'));
  try {
    writeFileSync(join(dir, 'program.cjs'), code);
    const r = spawnSync(process.execPath, [join(dir, 'program.cjs')], { encoding: 'utf8', cwd: repoRoot });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("every patch applies to the installed nats.js exactly once, and a text that is not there fails", () => {
  for (const file of Object.keys(plugin.natsPatches)) {
    const text = readFileSync(join(natsLib, file), 'utf8');
    const out = plugin.patchNats(file, text);
    for (const [from, to] of plugin.natsPatches[file]!) {
      assert.ok(!out.includes(from), `${file}: '${from}' replaced`);
      assert.ok(out.includes(to), `${file}: replacement present`);
    }
  }
  assert.throws(() => plugin.patchNats('src/mod.js', 'nothing to patch here'), /not in nats\/lib\/src\/mod\.js exactly once/);
});

test("evaluating cohortd's bundle loads none of the deferred built-in modules", () => {
  const bundle = join(repoRoot, 'packages/server/dist/cohortd.bundle.cjs');
  assert.deepEqual(JSON.parse(node(`require(${JSON.stringify(bundle)}); console.log(JSON.stringify(${loadedDeferred}))`)), []);
});

test('nats.js bundled with the plugin: nuids are random and distinct, tls comes on first use, no webcrypto', async () => {
  // esbuild is packages/server's dev dependency (not the tests'): its API as used here.
  const { build } = (await import(pathToFileURL(serverRequire.resolve('esbuild')).href)) as {
    build(o: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
  };
  const out = await build({
    stdin: {
      contents: [
        "const { nuid, connect } = require('nats');",
        'const before = ' + loadedDeferred + ';',
        'const ids = Array.from({ length: 1000 }, () => nuid.next());',
        "const other = new (Object.getPrototypeOf(nuid).constructor)().next();",
        // A TLS-first connection with nobody listening: the transport requires tls for tls.connect (which fails).
        "connect({ servers: '127.0.0.1:1', tls: { handshakeFirst: true }, reconnect: false, timeout: 500 }).catch(() => undefined).finally(() => {",
        '  console.log(JSON.stringify({ before, ids, other, after: ' + loadedDeferred + ' }));',
        '});',
      ].join('\n'),
      resolveDir: join(repoRoot, 'packages/server'),
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    plugins: [plugin.natsLazyBuiltins],
    logLevel: 'silent',
  });
  const r = JSON.parse(node(out.outputFiles[0]!.text)) as { before: string[]; ids: string[]; other: string; after: string[] };
  assert.deepEqual(r.before, []);
  assert.equal(new Set(r.ids).size, r.ids.length);
  for (const id of [...r.ids, r.other]) assert.match(id, /^[0-9A-Z]{22}$/i);
  // Two generators take different random prefixes (12 base-36 digits).
  assert.notEqual(r.other.slice(0, 12), r.ids[0]!.slice(0, 12));
  assert.ok(r.after.includes('tls'), `tls loaded for a TLS connection (${r.after.join(', ')})`);
  assert.ok(!r.after.includes('internal/crypto/webcrypto'), 'webcrypto never loaded');
});
