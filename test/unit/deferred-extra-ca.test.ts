// NODE_EXTRA_CA_CERTS deferred to the first TLS connection
// (@cohort/core/deferred-extra-ca): tls.connect's argument forms, the file
// read as Node reads it (its warnings compared with node's own, word for
// word), the environment put back, the file read once and only on a
// connection, the contexts; and the launchers (bin/cohort, bin/cohortd,
// bin/check_cohort_nrpe, bin/cohort-sim, the Debian packages') run with a
// stand-in `node`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import tls, { type SecureContext } from 'node:tls';
import { deferExtraCaCerts, movedExtraCaVariable, parseExtraCaCerts, readExtraCaCerts, systemErrorReason, withSecureContext } from '@cohort/core/deferred-extra-ca';
import { repoRoot } from '../harness/fleet.js';

const dir = mkdtempSync(join(tmpdir(), 'extra-ca-'));
const [rootA, rootB, rootC] = tls.rootCertificates as [string, string, string];
const ctx = { marker: 'context' } as unknown as SecureContext;
const cb = (): void => {};

test('withSecureContext adds the context to every form of tls.connect, in the argument Node reads the options from', () => {
  const seen: Record<string, unknown>[] = [];
  const make = (o: Record<string, unknown>): SecureContext => (seen.push(o), ctx);
  const options = { host: 'h', port: 1, servername: 's' };
  assert.deepEqual(withSecureContext([options, cb], make), [{ ...options, secureContext: ctx }, cb]);
  assert.deepEqual(options, { host: 'h', port: 1, servername: 's' }, "the caller's object is not changed");
  assert.equal(seen[0], options, 'contextFor gets the call options');
  assert.deepEqual(withSecureContext([4222, 'h', cb], make), [4222, 'h', { secureContext: ctx }, cb]);
  assert.deepEqual(withSecureContext([4222, 'h'], make), [4222, 'h', { secureContext: ctx }]);
  assert.deepEqual(withSecureContext([4222, cb], make), [4222, { secureContext: ctx }, cb]);
  assert.deepEqual(withSecureContext([4222], make), [4222, { secureContext: ctx }]);
  assert.deepEqual(withSecureContext(['/run/sock', cb], make), ['/run/sock', { secureContext: ctx }, cb]);
  assert.deepEqual(withSecureContext(['/run/sock', { servername: 's' }, cb], make), ['/run/sock', { servername: 's', secureContext: ctx }, cb]);
  assert.deepEqual(withSecureContext([4222, 'h', { servername: 's' }, cb], make), [4222, 'h', { servername: 's', secureContext: ctx }, cb]);
  assert.deepEqual(withSecureContext([4222, undefined, cb], make), [4222, undefined, { secureContext: ctx }, cb]);
});

test('withSecureContext leaves a call with its own ca or secureContext alone (a falsy one counts as none, as in Node)', () => {
  let calls = 0;
  const make = (): SecureContext => (calls++, ctx);
  const own = { ca: 'PEM' };
  const mine = { secureContext: { other: true } };
  assert.deepEqual(withSecureContext([own, cb], make), [own, cb]);
  assert.deepEqual(withSecureContext([4222, 'h', mine], make), [4222, 'h', mine]);
  assert.equal(calls, 0, 'no context is made for them');
  assert.deepEqual(withSecureContext([{ ca: null }], make), [{ ca: null, secureContext: ctx }]);
  assert.deepEqual(withSecureContext([{ ca: undefined, secureContext: undefined }], make), [{ ca: undefined, secureContext: ctx }]);
  assert.deepEqual(withSecureContext([{ host: 'h' }, cb], () => undefined), [{ host: 'h' }, cb], 'no context (no extra certificates): the call as it was');
});

/** What `node -e 0` prints on stderr with NODE_EXTRA_CA_CERTS=file: Node's own reading, to compare with. */
function nodeWarning(file: string): string | undefined {
  const r = spawnSync(process.execPath, ['-e', '0'], { env: { PATH: process.env['PATH'], NODE_EXTRA_CA_CERTS: file }, encoding: 'utf8' });
  return r.stderr.trim() || undefined;
}

const file = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

test('the file is read as Node reads it, with the same warnings', () => {
  const missing = join(dir, 'missing.pem');
  const badBase64 = file('bad-base64.pem', `${rootA}\n-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n${rootB}`);
  const noEnd = file('no-end.pem', `${rootA}\n${rootB.replace(/-----END CERTIFICATE-----\s*$/, '')}`);
  const cases = [missing, badBase64, noEnd, dir, file('no-certs.pem', 'just text\n'), file('empty.pem', '')];
  for (const f of cases) {
    assert.equal(readExtraCaCerts(f, []).warning, nodeWarning(f), `the warning for ${relative(dir, f) || 'a directory'}`);
  }
  assert.equal(readExtraCaCerts(missing, []).warning, `Warning: Ignoring extra certs from \`${missing}\`, load failed: error:80000002:system library::No such file or directory`);
  assert.deepEqual(readExtraCaCerts(badBase64, []).certs, [`${rootA.trim()}\n`], 'the certificates before a bad one count; none after it');
  assert.deepEqual(readExtraCaCerts(noEnd, []).certs, [`${rootA.trim()}\n`]);
  assert.deepEqual(readExtraCaCerts(dir, []), { certs: [] }, 'a directory: no certificates and no warning, as in Node');
});

test('parseExtraCaCerts keeps the certificates Node lacks, in order, skipping other blocks and text', () => {
  const key = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n';
  const old = rootC.replace(/(BEGIN|END) CERTIFICATE/g, '$1 X509 CERTIFICATE');
  const text = `# a bundle\n${rootA}\n${key}some text\n${rootB}\n${old}\n${rootA}\n`;
  assert.deepEqual(parseExtraCaCerts('f', text, []).certs, [rootA, rootB, rootC].map((p) => `${p.trim()}\n`), 'X509 CERTIFICATE blocks too; a repeated one once');
  assert.deepEqual(parseExtraCaCerts('f', text, [rootB]).certs, [rootA, rootC].map((p) => `${p.trim()}\n`), 'those among the roots are not added again');
  assert.deepEqual(parseExtraCaCerts('f', text, tls.rootCertificates), { certs: [] });
});

test('systemErrorReason gives OpenSSL words for an fs error', () => {
  const eacces = Object.assign(new Error("EACCES: permission denied, open '/x'"), { errno: -13, code: 'EACCES' });
  assert.equal(systemErrorReason(eacces), 'error:8000000D:system library::Permission denied');
  assert.deepEqual(readExtraCaCerts('/x', [], () => { throw eacces; }), { certs: [], warning: 'Warning: Ignoring extra certs from `/x`, load failed: error:8000000D:system library::Permission denied' });
});

/** A stand-in for node:tls: records connect calls, contexts and the certificates added to them. */
function fakeTls() {
  const contexts: { options: Record<string, unknown>; added: string[] }[] = [];
  const connects: unknown[][] = [];
  return {
    contexts,
    connects,
    api: {
      connect: ((...args: unknown[]) => (connects.push(args), {})) as unknown as typeof tls.connect,
      createSecureContext: ((options: Record<string, unknown>) => {
        const c = { options, added: [] as string[] };
        contexts.push(c);
        return { context: { addCACert: (pem: string) => c.added.push(pem) } };
      }) as unknown as typeof tls.createSecureContext,
      rootCertificates: [rootC],
      DEFAULT_CIPHERS: 'CIPHERS',
      DEFAULT_MIN_VERSION: 'TLSv1.2',
      DEFAULT_MAX_VERSION: 'TLSv1.3',
    } as { connect: typeof tls.connect; createSecureContext: typeof tls.createSecureContext; rootCertificates: readonly string[]; DEFAULT_CIPHERS: string; DEFAULT_MIN_VERSION: tls.SecureVersion; DEFAULT_MAX_VERSION: tls.SecureVersion },
  };
}

test('deferExtraCaCerts puts NODE_EXTRA_CA_CERTS back and reads the file once, on the first connection', () => {
  const extra = file('extra.pem', `${rootA}\n${rootB}\n${rootC}\n`);
  const env: NodeJS.ProcessEnv = { [movedExtraCaVariable]: extra, OTHER: 'x' };
  const fake = fakeTls();
  let reads = 0;
  const original = fake.api.connect;
  assert.equal(deferExtraCaCerts({ env, tls: fake.api, read: (f) => (reads++, readFileSync(f, 'latin1')), warn: assert.fail }), extra);
  assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: extra, OTHER: 'x' }, 'children see what the user set, and not the moved name');
  assert.notEqual(fake.api.connect, original);
  assert.equal(reads, 0, 'nothing is read before a connection');

  fake.api.connect({ host: 'a', port: 1 });
  (fake.api.connect as (...args: unknown[]) => unknown)(4222, 'b', cb);
  assert.equal(reads, 1);
  assert.equal(fake.contexts.length, 1, 'calls that shape no context share one');
  assert.deepEqual(fake.contexts[0]!.options, { ciphers: 'CIPHERS', host: 'a', port: 1 }, "made as tls.connect makes it: its default ciphers, the call's options");
  assert.deepEqual(fake.contexts[0]!.added, [rootA, rootB].map((p) => `${p.trim()}\n`), "the file's certificates Node lacks (rootC is one of its roots)");
  const shared = (fake.connects[0]![0] as { secureContext: unknown }).secureContext;
  assert.deepEqual(fake.connects[1], [4222, 'b', { secureContext: shared }, cb]);

  fake.api.connect({ host: 'c', cert: 'CERT', key: 'KEY' });
  assert.equal(fake.contexts.length, 2, 'a client certificate gets a context of its own');
  assert.deepEqual(fake.contexts[1]!.options, { ciphers: 'CIPHERS', host: 'c', cert: 'CERT', key: 'KEY' });
  assert.equal(fake.contexts[1]!.added.length, 2);
  fake.api.connect({ host: 'd', ca: 'OWN' });
  assert.deepEqual(fake.connects[3], [{ host: 'd', ca: 'OWN' }], 'its own CA: untouched');
  fake.api.DEFAULT_CIPHERS = 'OTHER';
  fake.api.connect({ host: 'e' });
  assert.equal(fake.contexts.length, 3, 'changed defaults: a new shared context');
  assert.equal(reads, 1, 'the file is read once');
});

test('deferExtraCaCerts warns once when the file cannot be read, and leaves connections to the root certificates', () => {
  const missing = join(dir, 'nope.pem');
  const env: NodeJS.ProcessEnv = { [movedExtraCaVariable]: missing };
  const fake = fakeTls();
  const warnings: string[] = [];
  deferExtraCaCerts({ env, tls: fake.api, warn: (w) => warnings.push(w) });
  assert.deepEqual(warnings, [], 'not before a connection');
  fake.api.connect({ host: 'a' });
  fake.api.connect({ host: 'b' });
  assert.deepEqual(warnings, [nodeWarning(missing)]);
  assert.deepEqual(fake.connects, [[{ host: 'a' }], [{ host: 'b' }]], 'no extra certificates: the calls as they were');
  assert.equal(fake.contexts.length, 0);
  assert.equal(env['NODE_EXTRA_CA_CERTS'], missing);
});

test('deferExtraCaCerts does nothing without the moved variable', () => {
  const fake = fakeTls();
  const original = fake.api.connect;
  const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: '/x' };
  assert.equal(deferExtraCaCerts({ env, tls: fake.api }), undefined);
  assert.equal(fake.api.connect, original);
  assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: '/x' });
});

// The launchers, run with a `node` that prints its arguments and the two variables.
const fakeBin = join(dir, 'fake-bin');
mkdirSync(fakeBin);
writeFileSync(join(fakeBin, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\necho "NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS-unset}"\necho "MOVED=${COHORT_NODE_EXTRA_CA_CERTS-unset}"\n');
chmodSync(join(fakeBin, 'node'), 0o755);

function launch(cmd: string, args: string[], env: Record<string, string>, cwd = dir): string[] {
  const r = spawnSync(cmd, args, { cwd, env: { PATH: `${fakeBin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trimEnd().split('\n');
}

const launchers = [
  { bin: 'packages/cli/bin/cohort', js: 'packages/cli/bin/cohort.cjs' },
  { bin: 'packages/nagios/bin/check_cohort_nrpe', js: 'packages/nagios/bin/check_cohort_nrpe.js' },
  { bin: 'packages/server/bin/cohortd', js: 'packages/server/bin/cohortd.cjs' },
  { bin: 'packages/server/bin/cohort-sim', js: 'packages/server/bin/cohort-sim.js' },
];
/** The node flags in a file's `#!/usr/bin/env -S node ...` line. */
const shebangFlags = (path: string): string[] => readFileSync(path, 'utf8').split('\n')[0]!.replace(/^#!.*?node\s*/, '').split(/\s+/).filter(Boolean);

for (const { bin, js } of launchers) {
  test(`${bin} moves NODE_EXTRA_CA_CERTS aside and runs ${js} with node`, () => {
    const path = join(repoRoot, bin);
    const flags = shebangFlags(join(repoRoot, js));
    const expect = (target: string, env: string, moved: string) => [...flags, target, 'a b', '--x', `NODE_EXTRA_CA_CERTS=${env}`, `MOVED=${moved}`];
    assert.deepEqual(launch(path, ['a b', '--x'], { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' }), expect(join(repoRoot, js), 'unset', '/etc/ca.pem'));
    assert.deepEqual(launch(path, ['a b', '--x'], {}), expect(join(repoRoot, js), 'unset', 'unset'));
    assert.deepEqual(launch(path, ['a b', '--x'], { NODE_EXTRA_CA_CERTS: '' }), expect(join(repoRoot, js), '', 'unset'), 'an empty one costs nothing: left as it is');
    // Through symlinks (npm's global install links the bin), absolute and relative, and run by sh from its directory.
    const links = mkdtempSync(join(dir, 'links-'));
    symlinkSync(path, join(links, 'abs'));
    symlinkSync(relative(links, path), join(links, 'rel'));
    symlinkSync('rel', join(links, 'rel2'));
    for (const link of ['abs', 'rel', 'rel2']) {
      const out = launch(join(links, link), ['a b', '--x'], { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' });
      assert.equal(readFileSync(out[flags.length]!, 'utf8'), readFileSync(join(repoRoot, js), 'utf8'), `via ${link}: runs ${js}`);
    }
    const local = launch('/bin/sh', [bin.split('/').pop()!, 'a b', '--x'], {}, join(repoRoot, bin, '..'));
    assert.deepEqual(local, expect(`./${js.split('/').pop()}`, 'unset', 'unset'));
  });
}

test('cohortd keeps its V8 flags; the programs test for the variable name the module uses', () => {
  assert.deepEqual(shebangFlags(join(repoRoot, 'packages/server/bin/cohortd.cjs')), ['--max-semi-space-size=2', '--optimize-for-size', '--no-opt', '--single-threaded', '--bytecode-old-age=1']);
  for (const source of ['packages/cli/src/main.ts', 'packages/server/src/main.ts', 'packages/server/src/sim/main.ts', 'packages/nagios/src/main.ts', ...launchers.map((l) => l.bin)]) {
    assert.match(readFileSync(join(repoRoot, source), 'utf8'), new RegExp(movedExtraCaVariable), source);
  }
});

test("the Debian packages' launchers move the variable the same way, with /usr/bin/node and the program's shebang flags", async () => {
  const { packageLauncher } = (await import(join(repoRoot, 'scripts/package/build-deb.mjs'))) as { packageLauncher: (name: string, program: string, options?: { shebangFlags?: boolean }) => string };
  const program = file('cohortd.cjs', `#!/usr/bin/env -S node ${shebangFlags(join(repoRoot, 'packages/server/bin/cohortd.cjs')).join(' ')}\n'use strict';\n`);
  const flags = shebangFlags(program);
  const text = packageLauncher('cohortd', program, { shebangFlags: true });
  assert.match(text, /exec \/usr\/bin\/node \$\{shebang#\*node\} /);
  const script = file('deb-launcher', text.replace('exec /usr/bin/node ', `exec ${join(fakeBin, 'node')} `));
  assert.deepEqual(launch('/bin/sh', [script, 'x'], { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' }), [...flags, program, 'x', 'NODE_EXTRA_CA_CERTS=unset', 'MOVED=/etc/ca.pem']);
  assert.deepEqual(launch('/bin/sh', [script], { NODE_EXTRA_CA_CERTS: '' }), [...flags, program, 'NODE_EXTRA_CA_CERTS=', 'MOVED=unset']);
  const cli = file('deb-cli-launcher', packageLauncher('cohort', '/usr/share/cohort-client/cli/bin/cohort.cjs').replace('exec /usr/bin/node ', `exec ${join(fakeBin, 'node')} `));
  assert.deepEqual(launch('/bin/sh', [cli, 'a b'], { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' }), ['/usr/share/cohort-client/cli/bin/cohort.cjs', 'a b', 'NODE_EXTRA_CA_CERTS=unset', 'MOVED=/etc/ca.pem']);
});
