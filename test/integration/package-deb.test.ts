// The Debian packages for real (issue 19, "A node package"): `pnpm package`'s
// build script makes cohort-node and cohort-client, `dpkg -i` installs them
// on this machine, `systemd-analyze verify` checks the installed unit,
// cohortd is started exactly as the unit's ExecStart/User/Environment say
// (with --config pointing at a copy of the installed default config aimed at
// this test's own nats-server), the INSTALLED /usr/bin/cohort pings it and
// calls an action, a second build with a higher version upgrades it (the
// locally changed conffile is kept), and `dpkg --purge` leaves no file behind.
// Needs root and dpkg-deb; skipped, saying so, otherwise. The packages are
// built with a version ending in +citest, so a leftover of a killed run is
// recognised (and purged); a machine where Cohort is installed or configured
// otherwise is never touched.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { createSigner, generateKeyPair, writeKeyPair } from '@cohort/core';
import { makeEnrollToken } from '../../packages/server/src/enroll/index.ts';
import { after, before, describe, test } from '../harness/skip.js';
import { cohortdBin, repoRoot, startNatsServer, type NatsServer } from '../harness/index.js';
import { until } from '../harness/wait.js';
import { parseUnit, splitExec, unitEnvironment, unitValue } from '../../scripts/package/unit-file.mjs';

const packages = ['cohort-node', 'cohort-client'] as const;
const unitPath = '/usr/lib/systemd/system/cohortd.service';
const cliDir = '/usr/share/cohort-client/cli';
const baseVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const v1 = `${baseVersion}+citest1`;
const v2 = `${baseVersion}+citest2`;

function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: options.env ?? process.env, input: options.input ?? '', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

function installedVersion(pkg: string): string | undefined {
  const r = run('dpkg-query', ['-W', '-f', '${Status}|${Version}', pkg]);
  if (r.code !== 0) return undefined;
  const [status, version] = r.stdout.split('|');
  return status?.includes('installed') || status?.includes('config-files') ? version : undefined;
}

function has(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd}`]).code === 0;
}

/** Why this machine cannot (or must not) run the test; undefined when it can. */
function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root: dpkg -i installs the packages system-wide';
  if (!has('dpkg-deb') || !has('dpkg')) return 'needs dpkg and dpkg-deb (Debian)';
  const node = installedVersion('nodejs');
  if (node === undefined || run('dpkg', ['--compare-versions', node, 'ge', '20.19']).code !== 0) {
    return `the Debian package nodejs (>= 20.19) is not installed (${node ?? 'none'}); the packages depend on it (docs/packaging.md: Debian 13, or NodeSource's nodejs on Debian 12)`;
  }
  for (const pkg of packages) {
    const v = installedVersion(pkg);
    if (v !== undefined && !v.includes('+citest')) return `${pkg} ${v} is installed on this machine; the test would replace and purge it`;
  }
  if (installedVersion('cohort-node') === undefined) {
    for (const dir of ['/etc/cohort', '/var/lib/cohort', '/var/log/cohort']) {
      if (existsSync(dir)) return `${dir} exists without the cohort-node package; purging the package would remove it`;
    }
  }
  return undefined;
}

/** In CI (CI set, .ci/run installs everything as root) a missing tool or privilege fails instead of skipping. */
function required(why: string | undefined, tool: boolean): string | undefined {
  if (why && tool && process.env['CI']) throw new Error(`${why} (CI: .ci/run runs as root and installs it)`);
  return why;
}

const nodejsMissing = () => { const v = installedVersion('nodejs'); return v === undefined || run('dpkg', ['--compare-versions', v, 'ge', '20.19']).code !== 0; };
const skip = required(skipReason(), process.getuid?.() !== 0 || !has('dpkg-deb') || nodejsMissing());
const work = mkdtempSync(join(tmpdir(), 'cohort-pkg-test-'));
const out = join(work, 'debs');
let nats: NatsServer | undefined;
let daemon: ChildProcess | undefined;
const identity = `pkgtest-${process.pid}`;
const keysDir = join(work, 'keys');
const trustedDir = join(work, 'trusted');
let clientEnv: NodeJS.ProcessEnv;
let provisionerKey: string;

function purgeTestPackages(): void {
  const ours = packages.filter((p) => installedVersion(p)?.includes('+citest'));
  if (ours.length > 0) run('dpkg', ['--purge', ...ours]);
}

function build(version: string): void {
  const r = run(process.execPath, [join(repoRoot, 'scripts/package/build-deb.mjs'), '--out', join(out, version), '--version', version]);
  assert.equal(r.code, 0, `build-deb --version ${version} failed:\n${r.stderr}${r.stdout}`);
}

function debs(version: string): string[] {
  return packages.map((p) => join(out, version, `${p}_${version}_all.deb`));
}

before(async () => {
  if (skip) return;
  purgeTestPackages(); // a leftover of a run that was killed
  build(v1);
  build(v2);
  nats = await startNatsServer({ jetstream: true });
  mkdirSync(keysDir);
  mkdirSync(trustedDir);
  const { keyFile, publicFile } = writeKeyPair(join(keysDir, 'operator'), generateKeyPair());
  copyFileSync(publicFile, join(trustedDir, 'operator.pub')); // trusted as user=operator
  provisionerKey = writeKeyPair(join(keysDir, 'provisioner=eu-1'), generateKeyPair()).keyFile;
  clientEnv = { PATH: process.env['PATH'], HOME: work, COHORT_KEY: keyFile, COHORT_NATS: nats.url };
});

after(async () => {
  stopDaemon();
  if (!skip) purgeTestPackages();
  await nats?.stop();
  rmSync(work, { recursive: true, force: true });
});

let daemonLog = '';

function stopDaemon(): Promise<number | null> {
  const child = daemon;
  daemon = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

/**
 * Start cohortd as the installed unit does: its ExecStart argv, User and
 * Environment, with the --config value swapped for `config` (a copy of the
 * installed default aimed at this test's bus; the conffile stays untouched).
 */
async function startLikeTheUnit(config: string, environmentFile?: string): Promise<ChildProcess> {
  await stopDaemon(); // the one a failed test before left running
  const unit = parseUnit(readFileSync(unitPath, 'utf8'));
  assert.equal(unitValue(unit, 'Service', 'User') ?? 'root', 'root', 'the unit runs cohortd as root (this test starts it as the user running it)');
  const argv = splitExec(unitValue(unit, 'Service', 'ExecStart') ?? '');
  const at = argv.indexOf('--config');
  assert.ok(at > 0, `ExecStart names --config: ${argv.join(' ')}`);
  argv[at + 1] = config;
  // EnvironmentFile= (the unit's is optional: "-/etc/default/cohortd"); the test passes its own copy's path.
  assert.equal(unitValue(unit, 'Service', 'EnvironmentFile'), '-/etc/default/cohortd');
  const env: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...unitEnvironment(unit), ...(environmentFile ? readEnvironmentFile(environmentFile) : {}) };
  daemonLog = '';
  // Started from / with a minimal environment: nothing from this checkout (node_modules, NODE_PATH) can be found.
  const child = spawn(argv[0]!, argv.slice(1), { cwd: '/', env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (daemonLog += d));
  child.stderr!.on('data', (d: Buffer) => (daemonLog += d));
  daemon = child;
  return child;
}

/** An EnvironmentFile as systemd reads it (KEY=value, KEY="quoted \\" value", comments). */
function readEnvironmentFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2]!.trim();
    env[m[1]!] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  return env;
}

/** A copy of the installed /etc/cohort/server.yaml aimed at this test's nats-server, keys and files. */
function testConfig(name: string): string {
  const config = yaml.load(readFileSync('/etc/cohort/server.yaml', 'utf8')) as Record<string, any>;
  assert.equal(config['security']?.mode, 'signed', 'the default config is in signed mode');
  config['identity'] = identity;
  config['nats'] = { ...config['nats'], servers: [nats!.url] };
  config['security'] = { ...config['security'], trusted_keys_dir: trustedDir, node_key: join(work, `${name}-node.key`), audit_file: join(work, `${name}-audit.log`) };
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, yaml.dump(config));
  return file;
}

/** The installed cohort: ping until the node answers, then an rpc; returns the rpc's parsed JSON. */
async function driveWithInstalledClient(): Promise<Record<string, any>> {
  let last = { code: -1, stdout: '', stderr: '' };
  await until('the packaged cohortd answers the installed cohort ping', () => {
    last = run('/usr/bin/cohort', ['ping', '-I', identity], { env: clientEnv });
    return last.code === 0 && last.stdout.includes(identity);
  }, { timeoutMs: 30_000, everyMs: 250, log: () => `cohort ping: ${last.code}\n${last.stdout}${last.stderr}\ncohortd:\n${daemonLog.slice(-3000)}` });
  const rpc = run('/usr/bin/cohort', ['rpc', 'rpcutil', 'inventory', '-I', identity, '--json'], { env: clientEnv });
  assert.equal(rpc.code, 0, `cohort rpc rpcutil inventory: ${rpc.stderr}${rpc.stdout}\n${daemonLog.slice(-3000)}`);
  return JSON.parse(rpc.stdout) as Record<string, any>;
}

describe('Debian packages: build, install, run, upgrade, purge', { skip }, () => {
  let filesBefore: string[] = [];

  test('dpkg -i installs cohort-node and cohort-client (nodejs satisfies the dependency)', () => {
    const r = run('dpkg', ['-i', ...debs(v1)]);
    assert.equal(r.code, 0, `dpkg -i: ${r.stderr}${r.stdout}`);
    for (const pkg of packages) assert.equal(installedVersion(pkg), v1);
    for (const bin of ['/usr/bin/cohortd', '/usr/bin/cohort', '/usr/bin/check_cohort_nrpe']) assert.ok(statSync(bin).mode & 0o111, `${bin} is executable`);
    const depends = run('dpkg-query', ['-W', '-f', '${Depends}', 'cohort-node']).stdout;
    assert.match(depends, /^nodejs \(>= 20\.19\)$/);
    // cohortd as the workspace runs it (its bin/cohortd.cjs, read by /usr/bin/cohortd for its V8 flags, and a
    // CommonJS bundle beside it) and no node_modules anywhere it could load them from but the one holding
    // libsodium's addon, which no bundle can hold (sodium-native and node-gyp-build, which finds its prebuilt file).
    assert.equal(readFileSync('/usr/share/cohort/lib/bin/cohortd.cjs', 'utf8'), readFileSync(join(repoRoot, 'packages/server/bin/cohortd.cjs'), 'utf8'));
    assert.ok(statSync('/usr/share/cohort/lib/dist/cohortd.bundle.cjs').size > 100_000);
    // yargs (for --help and mistakes) is one of the files beside the bundle, required on first use.
    const help = run('/usr/bin/cohortd', ['--help'], { env: { PATH: '/usr/bin:/bin' } });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^cohortd \[options\]/);
    assert.ok(existsSync('/usr/share/cohort/lib/dist/lazy-yargs.cjs'));
    assert.deepEqual(readdirSync('/usr/share/cohort/lib/node_modules').sort(), ['node-gyp-build', 'sodium-native']);
    for (const dir of ['/usr/share/cohort/lib/dist', '/usr/share/cohort/lib/bin', '/usr/share/cohort', '/usr/share', '/usr', '/']) assert.ok(!existsSync(join(dir, 'node_modules')), `${dir}/node_modules exists`);
    // The client's cohort: the CLI's split bundle, loaded by its bin and code-cache loader; no node_modules there either.
    assert.ok(existsSync(`${cliDir}/bin/cohort.cjs`) && existsSync(`${cliDir}/dist/bundle/cohort.js`) && existsSync(`${cliDir}/dist/bundle-loader.cjs`), 'the packaged CLI, its bundle and its loader');
    for (const dir of [`${cliDir}/dist/bundle/chunks`, `${cliDir}/dist/bundle`, `${cliDir}/dist`, `${cliDir}/bin`, cliDir, '/usr/share/cohort-client']) assert.ok(!existsSync(join(dir, 'node_modules')), `${dir}/node_modules exists`);
    assert.ok(existsSync('/usr/share/cohort/ddl/rpcutil.json'), 'the built-in DDLs');
    assert.ok(existsSync('/var/lib/cohort') && existsSync('/var/log/cohort'), 'postinst made the state and log directories');
    const conffiles = run('dpkg-query', ['-W', '-f', '${Conffiles}', 'cohort-node']).stdout;
    assert.match(conffiles, /\/etc\/cohort\/server\.yaml [0-9a-f]{32}/);
    filesBefore = packages.flatMap((p) => run('dpkg', ['-L', p]).stdout.split('\n').filter((l) => l.startsWith('/') && l !== '/.'));
  });

  test('the installed cohort keeps its V8 code cache in the user\'s cache directory and uses it; COHORT_CODE_CACHE=off writes none', () => {
    const home = join(work, 'cache-home');
    mkdirSync(home);
    const env = { PATH: process.env['PATH'], HOME: home };
    const cacheFiles = () => {
      const base = join(home, '.cache', 'cohort', 'code-cache');
      if (!existsSync(base)) return new Map<string, number>();
      return new Map(readdirSync(base, { recursive: true, encoding: 'utf8' }).map((f) => join(base, f)).filter((f) => statSync(f).isFile()).map((f) => [f, statSync(f).ino]));
    };
    const help = () => {
      const r = run('/usr/bin/cohort', ['--help'], { env });
      assert.equal(r.code, 0, `cohort --help: ${r.stderr}`);
      assert.match(r.stdout, /^cohort <command>/);
      return r.stdout;
    };
    const installed = new Set(run('dpkg', ['-L', 'cohort-client']).stdout.split('\n').filter((l) => l.startsWith('/usr/share/cohort-client')));
    const first = help();
    const written = cacheFiles();
    assert.ok(written.size > 0, `no code cache under ${home}/.cache/cohort/code-cache after the first run`);
    assert.ok([...written.keys()].every((f) => f.endsWith('.bin') && f.includes(`/${v1.replace(/[^\w.-]/g, '_')}-node`)), [...written.keys()].join('\n'));
    assert.equal(statSync(join(home, '.cache', 'cohort', 'code-cache')).mode & 0o077, 0, 'the cache directory is private');
    // Used, not rewritten: the loader replaces (renames over) the file of every chunk whose bytecode it could not use.
    assert.equal(help(), first);
    assert.deepEqual(cacheFiles(), written, 'the second run rewrote cache files: their bytecode was not used');
    // And read: a damaged file is noticed (its checksum) and replaced.
    const [damaged] = [...written.keys()];
    writeFileSync(damaged!, 'not bytecode');
    help();
    assert.notEqual(cacheFiles().get(damaged!), written.get(damaged!), 'the damaged cache file was not replaced');
    assert.ok(statSync(damaged!).size > 100);
    // Nothing beside the installed code.
    const extra = readdirSync('/usr/share/cohort-client', { recursive: true, encoding: 'utf8' }).map((f) => join('/usr/share/cohort-client', f)).filter((f) => !installed.has(f));
    assert.deepEqual(extra, [], 'files the CLI wrote beside its installed code');
    rmSync(join(home, '.cache'), { recursive: true });
    assert.equal(run('/usr/bin/cohort', ['--help'], { env: { ...env, COHORT_CODE_CACHE: 'off' } }).stdout, first);
    assert.ok(!existsSync(join(home, '.cache')), 'COHORT_CODE_CACHE=off wrote a cache');
  });

  test('systemd-analyze verify accepts the installed unit', { skip: required(has('systemd-analyze') ? undefined : 'systemd-analyze missing (Debian package systemd)', true) ?? false }, () => {
    const r = run('systemd-analyze', ['verify', unitPath]);
    // verify also loads the machine's other units and may warn about them; only ours counts.
    const ours = r.stderr.split('\n').filter((l) => l.includes('cohortd'));
    assert.equal(r.code, 0, `systemd-analyze verify: ${r.stderr}`);
    assert.deepEqual(ours, [], `warnings about cohortd.service:\n${ours.join('\n')}`);
  });

  test('cohortd started as the unit says answers the installed cohort ping and rpc, and stops cleanly on SIGTERM', async () => {
    const child = await startLikeTheUnit(testConfig('v1'));
    const inventory = await driveWithInstalledClient();
    const reply = inventory['replies']?.[0];
    assert.equal(reply?.sender ?? reply?.identity, identity, JSON.stringify(inventory).slice(0, 2000));
    assert.equal(reply?.data?.version, baseVersion, 'the bundled daemon reports its version');
    assert.ok(Array.isArray(reply?.data?.agents) && reply.data.agents.includes('rpcutil'), JSON.stringify(reply?.data));
    // Its signatures by libsodium: the package's prebuilt addon (amd64, arm64) is loaded, not OpenSSL's fallback.
    if (process.arch === 'x64' || process.arch === 'arm64') {
      const maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8');
      assert.ok(maps.includes(`/usr/share/cohort/lib/node_modules/sodium-native/prebuilds/linux-${process.arch}/sodium-native.node`), `the packaged cohortd loaded sodium-native's addon\n${daemonLog.slice(-3000)}`);
      assert.doesNotMatch(daemonLog, /Ed25519 signatures by OpenSSL/);
    }
    assert.equal(await stopDaemon(), 0, `cohortd exit code after SIGTERM\n${daemonLog.slice(-3000)}`);
    assert.ok(child.exitCode === 0);
    const audit = readFileSync(join(work, 'v1-audit.log'), 'utf8');
    assert.match(audit, /"caller(id)?":"user=operator"/, 'signed requests, audited');
  });

  test('the installed cohortd enroll joins the node to the provisioning collective, trusting only the provisioner', async () => {
    const token = run('/usr/bin/cohortd', ['enroll-token', '--key', provisionerKey, '--nats', nats!.url, '--token', 's3cret'], { env: clientEnv });
    assert.equal(token.code, 0, token.stderr);
    // As on a fresh machine: the installed default config, enrolled (a copy here: the conffile is the upgrade test's).
    const config = join(work, 'enrolled.yaml');
    const envFile = join(work, 'enrolled.env');
    copyFileSync('/etc/cohort/server.yaml', config);
    const factsFile = join(work, 'facts.yaml');
    writeFileSync(factsFile, 'region: eu-central-1\n');
    const enrolled = run('/usr/bin/cohortd', ['enroll', '--provisioner-token', token.stdout.trim(), '--config', config, '--environment-file', envFile, '--identity', `${identity}-fresh`, '--facts', factsFile], { env: clientEnv });
    assert.equal(enrolled.code, 0, `cohortd enroll: ${enrolled.stderr}${enrolled.stdout}`);
    assert.match(enrolled.stdout, /^enrolled: .* runs this node in provisioning mode/);
    assert.ok(existsSync('/etc/cohort/trusted_keys/provisioner=eu-1.pub'), "the provisioner's key in the packaged trusted_keys_dir");
    assert.equal(statSync(envFile).mode & 0o777, 0o600);
    assert.equal(readEnvironmentFile(envFile)['COHORT_PROVISIONING_TOKEN'], 's3cret');
    assert.ok(!readFileSync(config, 'utf8').includes('s3cret'), 'no secret in the config');
    await startLikeTheUnit(config, envFile);
    const asProvisioner = { ...clientEnv, COHORT_KEY: provisionerKey };
    let last = { code: -1, stdout: '', stderr: '' };
    await until('the enrolled node answers the provisioner in the provisioning collective', () => {
      last = run('/usr/bin/cohort', ['rpc', 'rpcutil', 'inventory', '-T', 'provisioning', '-I', `${identity}-fresh`, '--json'], { env: asProvisioner });
      return last.code === 0 && last.stdout.includes('provision');
    }, { timeoutMs: 30_000, everyMs: 250, log: () => `${last.stdout}${last.stderr}\ncohortd:\n${daemonLog.slice(-3000)}` });
    const reply = (JSON.parse(last.stdout) as { replies: Array<{ data: { agents: string[]; facts: Record<string, any> } }> }).replies[0]!;
    assert.deepEqual([...reply.data.agents].sort(), ['provision', 'rpcutil']);
    assert.equal(reply.data.facts['region'], 'eu-central-1', 'the facts the provisioner chooses a master by');
    assert.equal(reply.data.facts['cohort']?.provisioned, false);
    // The operator's key is not trusted by the bootstrap node: nobody but the provisioner drives it.
    const operator = run('/usr/bin/cohort', ['rpc', 'rpcutil', 'ping', '-T', 'provisioning', '-I', `${identity}-fresh`, '-t', '3', '--json'], { env: clientEnv });
    assert.ok(!operator.stdout.includes('"pong"'), `the operator was answered: ${operator.stdout}`);
    assert.equal(await stopDaemon(), 0, daemonLog.slice(-3000));
  });

  test('an upgrade to a higher version keeps the locally changed conffile, and the new cohortd serves', async () => {
    const marker = `# changed locally by package-deb.test.ts ${process.pid}`;
    writeFileSync('/etc/cohort/server.yaml', `${readFileSync('/etc/cohort/server.yaml', 'utf8')}${marker}\n`);
    // No --force-conf*: had the package's conffile changed too, dpkg would ask (and fail on the empty stdin).
    const r = run('dpkg', ['-i', ...debs(v2)]);
    assert.equal(r.code, 0, `dpkg -i (upgrade): ${r.stderr}${r.stdout}`);
    for (const pkg of packages) assert.equal(installedVersion(pkg), v2);
    assert.ok(readFileSync('/etc/cohort/server.yaml', 'utf8').includes(marker), 'the local change survived the upgrade');
    assert.ok(!existsSync('/etc/cohort/server.yaml.dpkg-new') && !existsSync('/etc/cohort/server.yaml.dpkg-old'), 'no conffile prompt leftovers');
    await startLikeTheUnit(testConfig('v2'));
    await driveWithInstalledClient();
    assert.equal(await stopDaemon(), 0, daemonLog.slice(-3000));
  });

  test('dpkg --purge removes every installed file, the state, logs and /etc/cohort', () => {
    assert.ok(filesBefore.length > 10, 'dpkg -L listed the files');
    const r = run('dpkg', ['--purge', ...packages]);
    assert.equal(r.code, 0, `dpkg --purge: ${r.stderr}${r.stdout}`);
    for (const pkg of packages) assert.equal(installedVersion(pkg), undefined, `${pkg} is gone from dpkg's database`);
    // Shared system directories (/usr, /usr/bin, ...) stay; everything the packages own alone is gone.
    const left = filesBefore.filter((f) => existsSync(f) && !(statSync(f).isDirectory() && /^\/(usr|etc|usr\/(bin|lib|share|share\/doc)|usr\/lib\/systemd(\/system)?)$/.test(f)));
    assert.deepEqual(left, [], `left after purge: ${left.join(', ')}`);
    for (const dir of ['/etc/cohort', '/var/lib/cohort', '/var/log/cohort', '/usr/share/cohort', '/usr/share/cohort-client']) assert.ok(!existsSync(dir), `${dir} left after purge`);
  });
});

// cohortd enroll's up-front checks, each failure naming what to fix, and
// nothing written when one fails. Runs the workspace's cohortd (no root
// needed); a private nats-server with TLS (a throwaway CA made with openssl)
// and a bootstrap user stands in for the bus.
describe('cohortd enroll refuses what would not work, saying what to fix', { skip: required(has('openssl') ? undefined : 'needs openssl (Debian package openssl) for the test CA', true) ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-enroll-test-'));
  let tlsNats: NatsServer | undefined;
  let key: string;
  const config = join(dir, 'etc', 'server.yaml');
  const envFile = join(dir, 'etc', 'default');

  function openssl(...args: string[]): void {
    const r = run('openssl', args);
    assert.equal(r.code, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
  }

  function makeCa(name: string): void {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-subj', `/CN=${name}`, '-days', '2');
  }

  before(async () => {
    makeCa('bus-ca');
    makeCa('other-ca');
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.csr'), '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('x509', '-req', '-in', join(dir, 'server.csr'), '-CA', join(dir, 'bus-ca.pem'), '-CAkey', join(dir, 'bus-ca.key'), '-CAcreateserial', '-out', join(dir, 'server.pem'), '-days', '2', '-extfile', join(dir, 'san.ext'));
    writeFileSync(
      join(dir, 'nats.conf'),
      `tls { cert_file: "${join(dir, 'server.pem')}", key_file: "${join(dir, 'server.key')}" }\nauthorization { users: [ { user: provisioning, password: bootstrap-pw } ] }\n`,
    );
    tlsNats = await startNatsServer({ args: ['-c', join(dir, 'nats.conf')] });
    key = writeKeyPair(join(dir, 'provisioner=eu-1'), generateKeyPair()).keyFile;
  });
  after(async () => {
    await tlsNats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const tlsUrl = () => `tls://127.0.0.1:${tlsNats!.port}`;

  function token(...extra: string[]): string {
    const r = run(process.execPath, [cohortdBin, 'enroll-token', '--key', key, '--nats', tlsUrl(), ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  }

  function enroll(tokenText: string, ...extra: string[]) {
    return run(process.execPath, [cohortdBin, 'enroll', '--provisioner-token', tokenText, '--config', config, '--environment-file', envFile, '--timeout', '3', ...extra]);
  }

  function assertRefused(r: { code: number; stderr: string }, pattern: RegExp): void {
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.ok(!existsSync(config) && !existsSync(envFile), 'nothing written after a failed check');
  }

  test('TLS with the token\'s CA and the bootstrap credentials: enrolled (dry run prints the config, writes nothing)', () => {
    const r = enroll(token('--ca', join(dir, 'bus-ca.pem'), '--nats-user', 'provisioning', '--nats-password', 'bootstrap-pw'), '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /every check passed/);
    const printed = yaml.load(r.stdout) as Record<string, any>;
    assert.equal(printed['provisioning'].enabled, true);
    assert.deepEqual(printed['provisioning'].provisioners, ['provisioner=eu-1']);
    assert.equal(printed['nats'].user, 'provisioning');
    assert.equal(printed['nats'].password, undefined);
    assert.ok(!existsSync(config));
  });

  test('the same, for real: config, bus CA, provisioner key and secrets written', () => {
    const r = enroll(token('--ca', join(dir, 'bus-ca.pem'), '--nats-user', 'provisioning', '--nats-password', 'bootstrap-pw'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'etc', 'bus-ca.pem'), 'utf8'), readFileSync(join(dir, 'bus-ca.pem'), 'utf8'));
    assert.ok(existsSync(join(dir, 'etc', 'trusted_keys', 'provisioner=eu-1.pub')));
    assert.equal(readFileSync(envFile, 'utf8'), 'COHORT_NATS_PASSWORD=bootstrap-pw\n');
    rmSync(join(dir, 'etc'), { recursive: true, force: true });
  });

  test('unknown CA: the bus certificate is not signed by the CA in the token', () => {
    assertRefused(enroll(token('--ca', join(dir, 'other-ca.pem'), '--nats-user', 'provisioning', '--nats-password', 'bootstrap-pw')), /unknown CA: the certificate of the NATS server at tls:\/\/127\.0\.0\.1:\d+ is not signed by the CA in the token/);
    assertRefused(enroll(token('--nats-user', 'provisioning', '--nats-password', 'bootstrap-pw')), /unknown CA: .* a CA this machine does not trust; make the token with --ca/);
  });

  test('wrong token: changed in transit, or NATS refuses its credentials', () => {
    const good = token('--ca', join(dir, 'bus-ca.pem'), '--nats-user', 'provisioning', '--nats-password', 'bootstrap-pw');
    const [body, sig] = good.slice('cohort-enroll-1.'.length).split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    payload['nats'] = ['nats://attacker.example:4222'];
    assertRefused(enroll(`cohort-enroll-1.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`), /wrong token: its signature does not match its contents/);
    assertRefused(enroll(token('--ca', join(dir, 'bus-ca.pem'), '--nats-user', 'provisioning', '--nats-password', 'nope')), /wrong token: the NATS server at .* refused the bootstrap credentials/);
    const other = writeKeyPair(join(dir, 'other'), generateKeyPair());
    assertRefused(enroll(good, '--provisioner-key', other.publicFile), /wrong token: signed by key .* expects the provisioner key/);
  });

  test("clock skew: a token made later than this machine's clock says is now", () => {
    // The provisioner's clock 10 minutes ahead of this machine's (max_clock_skew is 60 s).
    const signer = createSigner(generateKeyPair().privateKey, 'provisioner=eu-1');
    const future = makeEnrollToken(signer, { nats: [tlsUrl()], issued: Date.now() + 600_000, expires: Date.now() + 86_400_000 });
    assertRefused(enroll(future), /clock skew: this machine's clock .* is at least \d+ s behind the provisioner's, which made the token at .*timedatectl set-ntp true/);
  });

  test('unreachable NATS: says which URL and what to check', () => {
    assertRefused(enroll(token(), '--nats', 'nats://127.0.0.1:1'), /cannot reach NATS at nats:\/\/127\.0\.0\.1:1: check the URL \(--nats\), DNS/);
  });
});
