// NODE_EXTRA_CA_CERTS through the launchers (bin/cohort, bin/cohortd), with
// real processes: a nats-server whose TLS certificate is signed by a private
// CA that only NODE_EXTRA_CA_CERTS names. The launchers move the variable
// aside (node would read the file at start, ~90 ms); the programs load it on
// their first TLS connection (@cohort/core/deferred-extra-ca). So: the CLI
// and a daemon (and check_cohort_nrpe) connect with no --tls-ca and no tls.ca; a missing file
// gets Node's warning and a TLS error saying what to do; and a command the
// daemon runs (an NRPE command) sees NODE_EXTRA_CA_CERTS as the user set it.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { repoRoot, startNatsServer, waitForSubscriptions, type NatsServer } from '../harness/index.js';
import { after, before, describe, test } from '../harness/skip.js';
import { missingOpenssl } from './security-fleet.js';

const cohortLauncher = join(repoRoot, 'packages/cli/bin/cohort');
const cohortdLauncher = join(repoRoot, 'packages/server/bin/cohortd');
const checkLauncher = join(repoRoot, 'packages/nagios/bin/check_cohort_nrpe');
const identity = 'extra-ca-node';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `cmd` with the environment of this test, minus any NODE_EXTRA_CA_CERTS of its own, plus `env`. */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env, COHORT_CONFIG: '' };
  delete base['NODE_EXTRA_CA_CERTS'];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('NODE_EXTRA_CA_CERTS through the launchers: loaded on the first TLS connection', { skip: missingOpenssl() ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-extra-ca-'));
  const caFile = join(dir, 'private-ca.pem');
  let nats: NatsServer | undefined;
  let daemon: ChildProcess | undefined;
  let daemonLog = '';
  const url = () => `tls://127.0.0.1:${nats!.port}`;

  before(async () => {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', caFile, '-subj', '/CN=Cohort test private CA', '-days', '2');
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', caFile, '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
    writeFileSync(join(dir, 'nats.conf'), `tls { cert_file: "${join(dir, 'server.pem')}", key_file: "${join(dir, 'server.key')}" }\n`);
    nats = await startNatsServer({ args: ['-c', join(dir, 'nats.conf')] });

    // An NRPE command that shows what the daemon's children see.
    const node = join(dir, identity);
    mkdirSync(node);
    const show = join(node, 'show-ca');
    writeFileSync(show, '#!/bin/sh\necho "OK - NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS-unset} moved=${COHORT_NODE_EXTRA_CA_CERTS-unset}"\n');
    chmodSync(show, 0o755);
    writeFileSync(join(node, 'nrpe.cfg'), `command[show_ca]=${show}\n`);
    writeFileSync(join(node, 'facts.yaml'), 'role: tls\n');
    const config = {
      identity,
      nats: { servers: [url()] },
      facts: [join(node, 'facts.yaml')],
      plugin_dirs: [],
      logging: { level: 'warn', format: 'text' },
      security: { mode: 'unsigned' },
      nrpe: { conf_file: join(node, 'nrpe.cfg') },
    };
    writeFileSync(join(node, 'server.yaml'), yaml.dump(config));
    const base = { ...process.env };
    delete base['NODE_EXTRA_CA_CERTS'];
    daemon = spawn(cohortdLauncher, ['--config', join(node, 'server.yaml')], { env: { ...base, NODE_EXTRA_CA_CERTS: caFile }, stdio: ['ignore', 'ignore', 'pipe'] });
    daemon.stderr!.on('data', (d: Buffer) => (daemonLog += d));
    await waitForSubscriptions(nats.monitorPort, [identity], 60_000, new Map([[identity, { identity, process: daemon, configFile: '', factsFile: '', log: () => daemonLog }]]));
  });

  after(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon!.once('exit', r));
      daemon.kill('SIGTERM');
      await exited;
    }
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('cohortd, started through its launcher, connects to the bus with the CA from NODE_EXTRA_CA_CERTS alone', () => {
    // waitForSubscriptions above saw its subscriptions: it is connected over TLS.
    assert.equal(daemon!.exitCode, null, daemonLog);
    assert.doesNotMatch(daemonLog, /Warning: Ignoring extra certs/);
  });

  test('cohort, through its launcher, finds the daemon over TLS with no --tls-ca', async () => {
    const r = await run(cohortLauncher, ['ping', '--nats', url(), '-I', identity], { NODE_EXTRA_CA_CERTS: caFile });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(identity));
    assert.doesNotMatch(r.stderr, /Warning/);
  });

  test("the daemon's child processes see NODE_EXTRA_CA_CERTS as the user set it", async () => {
    const r = await run(cohortLauncher, ['rpc', 'nrpe', 'runcommand', 'command=show_ca', '-I', identity, '--nats', url(), '--json'], { NODE_EXTRA_CA_CERTS: caFile });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`NODE_EXTRA_CA_CERTS=${caFile} moved=unset`));
  });

  test('check_cohort_nrpe, through its launcher, runs the command over TLS with no CA of its own', async () => {
    const r = await run(checkLauncher, ['-I', identity, '--nats', url(), '--expect', '1', 'show_ca'], { NODE_EXTRA_CA_CERTS: caFile });
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^show_ca: OK: 1 /);
  });

  test("a missing NODE_EXTRA_CA_CERTS file: Node's warning, and a TLS error saying what to do", async () => {
    const missing = join(dir, 'no-such-ca.pem');
    const r = await run(cohortLauncher, ['ping', '--nats', url(), '--dt', '1'], { NODE_EXTRA_CA_CERTS: missing });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`^Warning: Ignoring extra certs from \`${missing}\`, load failed: error:80000002:system library::No such file or directory$`, 'm'));
    assert.match(r.stderr, /cannot connect to NATS at tls:\/\/127\.0\.0\.1:\d+: TLS failed: unable to verify the first certificate \(give the server's CA with --tls-ca/);
    // As node itself reads the variable (node bin/cohort.cjs, no launcher): the same words.
    const direct = await run(process.execPath, [join(repoRoot, 'packages/cli/bin/cohort.cjs'), 'ping', '--nats', url(), '--dt', '1'], { NODE_EXTRA_CA_CERTS: missing });
    assert.equal(r.stderr, direct.stderr);
    assert.equal(r.code, direct.code);
  });
});
