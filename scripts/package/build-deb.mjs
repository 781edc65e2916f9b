#!/usr/bin/env node
// pnpm package: the Debian packages of Cohort, built with dpkg-deb from the
// compiled workspace (run `pnpm -s build` first; `pnpm package` does).
//
//   cohort-node_<version>_all.deb    cohortd (packages/server's bin/cohortd.cjs
//                                    and a self-contained bundle), its systemd
//                                    unit, /etc/cohort/server.yaml (signed
//                                    mode, a conffile), the built-in DDLs
//   cohort-client_<version>_all.deb  cohort (the CLI's own split bundle, bin
//                                    and code-cache loader) and
//                                    check_cohort_nrpe (one bundled file)
//
// Usage: node scripts/package/build-deb.mjs [--out DIR] [--version V]
//   --out      where the .deb files go (default dist-pkg/)
//   --version  package version (default: the root package.json version)
// docs/packaging.md describes the packages and the choices behind them.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launcher } from '../launchers.mjs';
import { assertBuiltinsOnly, bundleCliChunks, bundleDaemon, bundleProgram } from './bundle.mjs';
import { conffilesFile, controlFile, debianVersionOf, nodejsDepends } from './control.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const debianDir = join(root, 'packaging', 'debian');

/**
 * Where a bundle sits inside its package's share directory: two levels below
 * it, so that paths our modules resolve relative to themselves land inside
 * that directory: the built-in DDLs (found by walking up to a `ddl/schema`
 * directory) and puppetral's helper (`../../ruby/puppetral-helper.rb`).
 */
const bundleSubdir = 'lib/js';

/**
 * The launcher in /usr/bin: Debian's node running `program` (an absolute
 * path), made by the template of the workspace's launchers
 * (scripts/launchers.mjs): it moves NODE_EXTRA_CA_CERTS aside, sparing node
 * ~90 ms of reading the file at start (the program loads it on its first TLS
 * connection), and with `shebangFlags` passes node the flags of the
 * program's shebang line.
 */
export function packageLauncher(name, program, options = {}) {
  return launcher({ name, program, node: '/usr/bin/node', installedBy: 'by a Cohort Debian package', ...options });
}

function put(stage, path, text, mode = 0o644) {
  const file = join(stage, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

function copy(stage, from, to, mode = 0o644) {
  const file = join(stage, to);
  mkdirSync(dirname(file), { recursive: true });
  copyFileSync(from, file);
  chmodSync(file, mode);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Installed-Size in KiB: the files' sizes, rounded up per file as dpkg-gencontrol does. */
function installedSize(stage) {
  return walk(stage)
    .filter((f) => !relative(stage, f).startsWith('DEBIAN'))
    .reduce((kib, f) => kib + Math.ceil(statSync(f).size / 1024), 0);
}

function md5sums(stage) {
  return walk(stage)
    .filter((f) => !relative(stage, f).startsWith('DEBIAN'))
    .map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(stage, f)}\n`)
    .sort()
    .join('');
}

function copyDdls(stage, to) {
  cpSync(join(root, 'ddl'), join(stage, to), { recursive: true, filter: (src) => statSync(src).isDirectory() || src.endsWith('.json') });
}

function needBuilt(path) {
  try {
    statSync(join(root, path));
  } catch {
    throw new Error(`${path} is missing: build the workspace first (pnpm -s build), or run pnpm package`);
  }
}

/** Write the DEBIAN/ files, then `dpkg-deb --build`; returns the .deb path. */
function finish(stage, out, fields, { conffiles = [], scripts = [] } = {}) {
  for (const name of scripts) copy(stage, join(debianDir, fields.dir, name), `DEBIAN/${name}`, 0o755);
  if (conffiles.length > 0) put(stage, 'DEBIAN/conffiles', conffilesFile(conffiles));
  put(stage, 'DEBIAN/md5sums', md5sums(stage));
  put(stage, 'DEBIAN/control', controlFile({ ...fields, installedSize: installedSize(stage) }));
  const deb = join(out, `${fields.package}_${fields.version}_all.deb`);
  const r = spawnSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb], { encoding: 'utf8' });
  if (r.error) throw new Error(`dpkg-deb: ${r.error.message} (install the dpkg package)`);
  if (r.status !== 0) throw new Error(`dpkg-deb --build ${fields.package} failed: ${r.stderr.trim()}`);
  return deb;
}

/**
 * libsodium for cohortd's signatures (useLibsodium, packages/core's
 * security/ed25519.ts): sodium-native and node-gyp-build, which finds its
 * prebuilt addon, in node_modules beside the bundle's directory, where the
 * bundle's require looks. Prebuilt addons for amd64 and arm64 only (the
 * package is architecture-independent); elsewhere cohortd signs with
 * OpenSSL and says so at start.
 */
const nativeArches = ['linux-x64', 'linux-arm64'];

function stageSodium(stage, nodeModules) {
  const sodiumDir = dirname(createRequire(join(root, 'packages/core/package.json')).resolve('sodium-native/package.json'));
  const gypDir = dirname(createRequire(join(sodiumDir, 'package.json')).resolve('node-gyp-build/package.json'));
  for (const file of ['package.json', 'index.js', 'LICENSE', ...nativeArches.map((a) => `prebuilds/${a}/sodium-native.node`)]) copy(stage, join(sodiumDir, file), `${nodeModules}/sodium-native/${file}`);
  for (const file of ['package.json', 'index.js', 'node-gyp-build.js', 'LICENSE']) copy(stage, join(gypDir, file), `${nodeModules}/node-gyp-build/${file}`);
}

function docs(stage, pkg) {
  put(stage, `usr/share/doc/${pkg}/copyright`, `Cohort\nLicense: Apache-2.0 (/usr/share/common-licenses/Apache-2.0)\nThe bundled JavaScript includes third-party packages under their own licenses (MIT, ISC, Apache-2.0, BSD).\n${pkg === 'cohort-node' ? '/usr/share/cohort/lib/node_modules: sodium-native (MIT) with libsodium (ISC) prebuilt inside, and node-gyp-build (MIT).\n' : ''}`);
  copy(stage, join(root, 'docs', 'packaging.md'), `usr/share/doc/${pkg}/packaging.md`);
}

async function buildNode(out, version, work) {
  needBuilt('packages/server/dist/main.js');
  const stage = join(work, 'cohort-node');
  const share = 'usr/share/cohort';
  // cohortd as the workspace runs it: packages/server's bin/cohortd.cjs as it
  // is (its shebang's V8 flags, its loader reading the bundle in 64 kB pieces)
  // and, at ../dist/cohortd.bundle.cjs from it, a CommonJS bundle with every
  // dependency inside, but what only some runs load, in files beside it
  // (bundleDaemon; docs/performance.md, "Idle RSS").
  const bin = `/${share}/lib/bin/cohortd.cjs`;
  const bundle = `/${share}/lib/dist/cohortd.bundle.cjs`;
  await assertBuiltinsOnly(join(root, 'packages/server/bin/cohortd.cjs'));
  copy(stage, join(root, 'packages/server/bin/cohortd.cjs'), bin);
  const { text } = await bundleDaemon({
    sourcefile: 'cohortd-entry.js',
    outfile: join(stage, bundle),
    source: "export { main } from './packages/server/dist/main.js';\n",
  });
  const bytes = walk(join(stage, share, 'lib')).reduce((n, f) => n + statSync(f).size, 0);
  stageSodium(stage, `${share}/lib/node_modules`);
  if (!text.includes('../../ruby/puppetral-helper.rb')) throw new Error("puppetral's helper is no longer at ../../ruby/puppetral-helper.rb from its module: update the bundle's directory and the copy below in scripts/package/build-deb.mjs");
  copy(stage, join(root, 'packages/agents/ruby/puppetral-helper.rb'), `${share}/ruby/puppetral-helper.rb`);
  copyDdls(stage, `${share}/ddl`);
  put(stage, 'usr/bin/cohortd', packageLauncher('cohortd', bin, { shebangFlags: true }), 0o755);
  copy(stage, join(debianDir, 'node/cohortd.service'), 'usr/lib/systemd/system/cohortd.service');
  copy(stage, join(debianDir, 'node/server.yaml'), 'etc/cohort/server.yaml');
  mkdirSync(join(stage, 'etc/cohort/trusted_keys'), { recursive: true });
  docs(stage, 'cohort-node');
  const deb = finish(stage, out, {
    dir: 'node',
    package: 'cohort-node',
    version,
    depends: [nodejsDepends],
    summary: 'Cohort node daemon (cohortd): orchestration agent on NATS',
    description: [
      'cohortd answers RPC requests for its agents (rpcutil, puppetral, nrpe,',
      'provision, checks, mine, ...) on a NATS bus, MCollective/Choria style.',
      '',
      'One bundled JavaScript file run by Debian\'s nodejs, a hardened systemd',
      'unit (cohortd.service), /etc/cohort/server.yaml in signed mode and the',
      'built-in agent DDLs. Join a fleet with cohortd enroll.',
    ].join('\n'),
  }, { conffiles: ['/etc/cohort/server.yaml'], scripts: ['postinst', 'prerm', 'postrm'] });
  return { deb, bundleBytes: bytes };
}

/**
 * The `cohort` CLI as the workspace runs it: packages/cli's bin/cohort.cjs and
 * its code-cache loader (dist/bundle-loader.cjs) as they are, and its split
 * bundle made by the CLI's own recipe with every dependency inside
 * (bundleCliChunks), in `dir` (a package.json there gives the version).
 * Returns the bytes of JavaScript.
 */
async function stageCli(stage, dir, version) {
  const cli = join(root, 'packages/cli');
  for (const file of ['bin/cohort.cjs', 'dist/bundle-loader.cjs']) {
    await assertBuiltinsOnly(join(cli, file));
    copy(stage, join(cli, file), `${dir}/${file}`);
  }
  put(stage, `${dir}/package.json`, `${JSON.stringify({ name: '@cohort/cli', version, private: true, type: 'module' }, null, 2)}\n`);
  await bundleCliChunks({ outdir: join(stage, dir, 'dist/bundle') });
  return walk(join(stage, dir)).filter((f) => /\.c?js$/.test(f)).reduce((n, f) => n + statSync(f).size, 0);
}

async function buildClient(out, version, work) {
  needBuilt('packages/cli/dist/main.js');
  needBuilt('packages/cli/dist/bundle-loader.cjs');
  needBuilt('packages/nagios/dist/main.js');
  const stage = join(work, 'cohort-client');
  const share = 'usr/share/cohort-client';
  // Below the share directory, so that walking up from any chunk finds the DDLs (see bundleSubdir).
  const cliDir = `${share}/cli`;
  const check = `/${share}/${bundleSubdir}/check_cohort_nrpe.mjs`;
  const cliBytes = await stageCli(stage, cliDir, version);
  const nrpe = await bundleProgram({
    sourcefile: 'check-cohort-nrpe-entry.js',
    outfile: join(stage, check),
    // As packages/nagios/bin/check_cohort_nrpe.js: always answer Nagios, then exit.
    source: [
      "import { homedir } from 'node:os';",
      "import { checkMain } from './packages/nagios/dist/main.js';",
      'const startedAt = performance.timeOrigin;',
      `const code = await checkMain(process.argv.slice(2), { write: (t) => process.stdout.write(t), env: process.env, homedir: homedir(), startedAt, version: ${JSON.stringify(version)} }).catch((err) => { process.stdout.write(\`UNKNOWN: check_cohort_nrpe: \${err instanceof Error ? err.message : String(err)}\\n\`); return 3; });`,
      "process.stdout.write('', () => process.exit(code));",
      '',
    ].join('\n'),
  });
  copyDdls(stage, `${share}/ddl`);
  put(stage, 'usr/bin/cohort', packageLauncher('cohort', `/${cliDir}/bin/cohort.cjs`), 0o755);
  put(stage, 'usr/bin/check_cohort_nrpe', packageLauncher('check_cohort_nrpe', check), 0o755);
  docs(stage, 'cohort-client');
  const deb = finish(stage, out, {
    dir: 'client',
    package: 'cohort-client',
    version,
    depends: [nodejsDepends],
    summary: 'Cohort client: the cohort command and check_cohort_nrpe',
    description: [
      'cohort discovers nodes running cohortd and calls their agents over NATS;',
      'check_cohort_nrpe is the Nagios plugin that runs NRPE checks through Cohort.',
      'Bundled JavaScript run by Debian\'s nodejs.',
    ].join('\n'),
  });
  return { deb, bundleBytes: cliBytes + nrpe.bytes };
}

async function cli(argv) {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, version: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write('Usage: node scripts/package/build-deb.mjs [--out DIR] [--version V]\nBuilds dist-pkg/cohort-node_V_all.deb and cohort-client_V_all.deb from the built workspace (docs/packaging.md).\n');
    return 0;
  }
  const version = debianVersionOf(values.version ?? JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  const out = resolve(values.out ?? join(root, 'dist-pkg'));
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'cohort-pkg-'));
  try {
    for (const build of [buildNode, buildClient]) {
      const { deb, bundleBytes } = await build(out, version, work);
      process.stdout.write(`${relative(process.cwd(), deb) || deb}: ${statSync(deb).size} bytes (bundled JavaScript ${bundleBytes} bytes)\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`build-deb: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
