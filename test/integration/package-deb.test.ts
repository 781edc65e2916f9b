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
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { generateKeyPair, writeKeyPair } from '@cohort/core';
import { after, before, describe, test } from '../harness/skip.js';
import { repoRoot, startNatsServer, type NatsServer } from '../harness/index.js';
import { until } from '../harness/wait.js';
import { parseUnit, splitExec, unitEnvironment, unitValue } from '../../scripts/package/unit-file.mjs';

const packages = ['cohort-node', 'cohort-client'] as const;
const unitPath = '/usr/lib/systemd/system/cohortd.service';
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

const skip = skipReason();
const work = mkdtempSync(join(tmpdir(), 'cohort-pkg-test-'));
const out = join(work, 'debs');
let nats: NatsServer | undefined;
let daemon: ChildProcess | undefined;
const identity = `pkgtest-${process.pid}`;
const keysDir = join(work, 'keys');
const trustedDir = join(work, 'trusted');
let clientEnv: NodeJS.ProcessEnv;

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
async function startLikeTheUnit(config: string): Promise<ChildProcess> {
  await stopDaemon(); // the one a failed test before left running
  const unit = parseUnit(readFileSync(unitPath, 'utf8'));
  assert.equal(unitValue(unit, 'Service', 'User') ?? 'root', 'root', 'the unit runs cohortd as root (this test starts it as the user running it)');
  const argv = splitExec(unitValue(unit, 'Service', 'ExecStart') ?? '');
  const at = argv.indexOf('--config');
  assert.ok(at > 0, `ExecStart names --config: ${argv.join(' ')}`);
  argv[at + 1] = config;
  const env: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...unitEnvironment(unit) };
  daemonLog = '';
  // Started from / with a minimal environment: nothing from this checkout (node_modules, NODE_PATH) can be found.
  const child = spawn(argv[0]!, argv.slice(1), { cwd: '/', env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (daemonLog += d));
  child.stderr!.on('data', (d: Buffer) => (daemonLog += d));
  daemon = child;
  return child;
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
    // One bundled file and no node_modules anywhere it could load them from.
    assert.ok(statSync('/usr/share/cohort/lib/js/cohortd.mjs').size > 100_000);
    for (const dir of ['/usr/share/cohort/lib/js', '/usr/share/cohort/lib', '/usr/share/cohort', '/usr/share', '/usr', '/']) assert.ok(!existsSync(join(dir, 'node_modules')), `${dir}/node_modules exists`);
    assert.ok(existsSync('/usr/share/cohort/ddl/rpcutil.json'), 'the built-in DDLs');
    assert.ok(existsSync('/var/lib/cohort') && existsSync('/var/log/cohort'), 'postinst made the state and log directories');
    const conffiles = run('dpkg-query', ['-W', '-f', '${Conffiles}', 'cohort-node']).stdout;
    assert.match(conffiles, /\/etc\/cohort\/server\.yaml [0-9a-f]{32}/);
    filesBefore = packages.flatMap((p) => run('dpkg', ['-L', p]).stdout.split('\n').filter((l) => l.startsWith('/') && l !== '/.'));
  });

  test('systemd-analyze verify accepts the installed unit', { skip: has('systemd-analyze') ? false : 'systemd-analyze missing (Debian package systemd)' }, () => {
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
    assert.equal(await stopDaemon(), 0, `cohortd exit code after SIGTERM\n${daemonLog.slice(-3000)}`);
    assert.ok(child.exitCode === 0);
    const audit = readFileSync(join(work, 'v1-audit.log'), 'utf8');
    assert.match(audit, /"caller(id)?":"user=operator"/, 'signed requests, audited');
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
