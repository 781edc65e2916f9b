// The provision agent on a real cohortd in provisioning mode, on a real
// nats-server, driven through the real CLI: provisioning mode itself (and the
// registry), token enforcement, lock contention, set_master on temp files,
// gencsr -> signed by a throwaway openssl CA -> install_cert (and refused
// certificates), run_puppet's exit-code mapping with a fake puppet and one
// real Puppet run, configure's refusal. Restarts: provision-restart.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cohort, until } from '../harness/index.js';
import { freePort } from '../harness/nats-server.js';
import { provisionNodeFixture } from './provision-node.js';

const token = 's3cret';
const f = provisionNodeFixture(token);

const call = (...args: Parameters<typeof f.client.call>) => f.client.call(...args);
const ok = (...args: Parameters<typeof f.client.ok>) => f.client.ok(...args);

function openssl(args: string[], dir: string): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A throwaway CA in `dir/<name>`: returns a signer of CSRs (PEM in, certificate PEM out) and its certificate. */
function makeCa(dir: string, name: string): { pem: string; sign(csr: string): string } {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${name}`, '-days', '2'], dir);
  let serial = 1;
  return {
    pem: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    sign(csr) {
      writeFileSync(join(dir, `${name}-req.pem`), csr);
      openssl(['x509', '-req', '-in', `${name}-req.pem`, '-CA', `${name}.pem`, '-CAkey', `${name}.key`, '-set_serial', String(serial++), '-days', '2', '-out', `${name}-cert.pem`], dir);
      return readFileSync(join(dir, `${name}-cert.pem`), 'utf8');
    },
  };
}

describe('a node in provisioning mode', () => {
  test('joins only the provisioning collective with rpcutil and provision, and says it is not provisioned', async () => {
    const reply = await call('rpcutil', 'inventory', {});
    assert.equal(reply.statuscode, 0, reply.statusmsg);
    assert.deepEqual([...(reply.data['agents'] as string[])].sort(), ['provision', 'rpcutil']);
    assert.deepEqual(reply.data['collectives'], ['provisioning']);
    assert.deepEqual((reply.data['facts'] as Record<string, unknown>)['cohort'], { provisioned: false });
    const found = await cohort(['find', '-T', 'provisioning', '-F', 'cohort.provisioned=false', '--dm', 'broadcast'], { nats: f.nats.url, env: f.node.env });
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(found.stdout.trim().split('\n'), [f.node.identity]);
    // Registered in the provisioning collective's registry bucket. A node waiting to be provisioned has no
    // certified key, so its record is listed unverified (and discovery does not rely on it).
    let reg = await cohort(['registry', 'list', '-T', 'provisioning', '-F', 'cohort.provisioned=false', '--json'], { nats: f.nats.url, env: f.node.env });
    const listed = () => (reg.code === 0 ? (JSON.parse(reg.stdout) as Array<{ identity: string }>).map((r) => r.identity).join() : '');
    await until(
      `${f.node.identity} in the provisioning registry`,
      async () => {
        reg = await cohort(['registry', 'list', '-T', 'provisioning', '-F', 'cohort.provisioned=false', '--json'], { nats: f.nats.url, env: f.node.env });
        return listed() === f.node.identity;
      },
      { timeoutMs: 15_000, everyMs: 250, log: () => `exit ${reg.code} ${reg.stdout} ${reg.stderr}`, logName: 'the last registry list' },
    );
    assert.match(reg.stderr, /registry records are shown unverified/);
    const inCohort = await cohort(['ping', '-T', 'cohort', '--dt', '1'], { nats: f.nats.url, env: f.node.env });
    assert.ok(!inCohort.stdout.includes(f.node.identity), `not in the default collective: ${inCohort.stdout}`);
  });

  test('every action demands the token; rpcutil does not hand it out', async () => {
    const missing = await call('provision', 'status', {}, 'provisioning', false);
    assert.equal(missing.statuscode, 1);
    assert.match(missing.statusmsg, /invalid provisioning token/);
    const wrong = await call('provision', 'lock', { token: 'guess', owner: 'x' }, 'provisioning', false);
    assert.equal(wrong.statuscode, 1);
    assert.match(wrong.statusmsg, /invalid provisioning token/);
    const status = await ok('status');
    assert.equal(status['provisioned'], false);
    assert.equal(status['config_file'], f.node.configFile);
    const item = await call('rpcutil', 'get_config_item', { item: 'provisioning.token' });
    assert.equal(item.statuscode, 0, item.statusmsg);
    assert.notEqual(item.data['value'], token);
  });

  test('lock: one owner at a time, renewable, released by the owner or by force', async () => {
    const first = await ok('lock', { owner: 'prov-a', ttl: 600 });
    assert.equal(first['lock_owner'], 'prov-a');
    const other = await call('provision', 'lock', { owner: 'prov-b' });
    assert.equal(other.statuscode, 1);
    assert.match(other.statusmsg, /^locked by prov-a until \d{4}-\d\d-\d\dT/);
    const renewed = await ok('lock', { owner: 'prov-a', ttl: 1200 });
    assert.ok(Number(renewed['expires']) > Number(first['expires']), 'renewing extends the expiry');
    const steal = await call('provision', 'unlock', { owner: 'prov-b' });
    assert.equal(steal.statuscode, 1);
    assert.match(steal.statusmsg, /locked by prov-a/);
    assert.equal((await ok('unlock', { owner: 'prov-b', force: true }))['locked'], false);
    assert.equal((await ok('status'))['locked'], false);
    // Two owners at once: exactly one wins.
    const both = await Promise.all([call('provision', 'lock', { owner: 'prov-c' }), call('provision', 'lock', { owner: 'prov-d' })]);
    assert.deepEqual(both.map((r) => r.statuscode).sort(), [0, 1]);
    const winner = both.find((r) => r.statuscode === 0)?.data['lock_owner'];
    assert.equal((await ok('status'))['lock_owner'], winner);
    await ok('unlock', { owner: String(winner) });
  });

  test('set_master writes the hosts line and puppet.conf, once', async () => {
    const set = await ok('set_master', { host: 'puppet1.example.net', ip: '10.0.0.5', port: 8141 });
    assert.deepEqual(set, { master: 'puppet1.example.net', hosts_changed: true, puppet_conf_changed: true });
    const hosts = readFileSync(f.node.hostsFile, 'utf8');
    assert.match(hosts, /^127\.0\.0\.1 localhost$/m, 'other lines kept');
    assert.match(hosts, /^10\.0\.0\.5 puppet1\.example\.net puppet {2}# cohort-provision$/m);
    const conf = readFileSync(f.node.puppetConf, 'utf8');
    assert.match(conf, /^\[main\]\nserver = puppet1\.example\.net\nmasterport = 8141\n$/);
    const again = await ok('set_master', { host: 'puppet1.example.net', ip: '10.0.0.5', port: 8141 });
    assert.equal(again['hosts_changed'], false);
    assert.equal(again['puppet_conf_changed'], false);
    const moved = await ok('set_master', { host: 'puppet2.example.net', ip: '10.0.0.6' });
    assert.equal(moved['hosts_changed'], true);
    assert.equal(readFileSync(f.node.hostsFile, 'utf8').match(/cohort-provision/g)?.length, 1, 'the marked line is replaced, not added');
    assert.equal(readFileSync(f.node.puppetConf, 'utf8'), '[main]\nserver = puppet2.example.net\n');
    assert.equal((await ok('status'))['master'], 'puppet2.example.net');
    const bad = await cohort(['rpc', 'provision', 'set_master', `token=${token}`, 'host=bad host;rm', '-T', 'provisioning', '-I', f.node.identity], { nats: f.nats.url, env: f.node.env });
    assert.equal(bad.code, 2, 'the DDL refuses it before anything is sent');
    assert.match(bad.stderr, /input 'host'/);
  });

  test('gencsr keeps the key on the node; install_cert takes only a certificate for that key from the given CA', async () => {
    const first = await ok('gencsr', { O: 'Example', C: 'DE' });
    assert.equal(first['certname'], f.node.identity);
    assert.match(String(first['csr']), /^-----BEGIN CERTIFICATE REQUEST-----/);
    assert.match(String(first['public_key']), /^-----BEGIN PUBLIC KEY-----/);
    assert.ok(!JSON.stringify(first).includes('PRIVATE KEY'), 'the private key never leaves the node');
    const keyFile = join(f.node.sslDir, 'private_keys', `${f.node.identity}.pem`);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const second = await ok('gencsr', { O: 'Example', C: 'DE' });
    assert.equal(second['public_key'], first['public_key'], 'the existing key is reused');
    writeFileSync(join(f.node.dir, 'node.csr'), String(second['csr']));
    assert.match(openssl(['req', '-noout', '-subject', '-in', 'node.csr'], f.node.dir), new RegExp(`C ?= ?DE, O ?= ?Example, CN ?= ?${f.node.identity}`));

    const ca = makeCa(f.node.dir, 'test-ca');
    const other = makeCa(f.node.dir, 'other-ca');
    const certificate = ca.sign(String(second['csr']));

    const wrongCa = await call('provision', 'install_cert', { certificate, ca: other.pem });
    assert.equal(wrongCa.statuscode, 1);
    assert.match(wrongCa.statusmsg, /does not verify against the given CA/);
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'stranger.key', '-subj', `/CN=${f.node.identity}`, '-out', 'stranger.csr'], f.node.dir);
    const stranger = ca.sign(readFileSync(join(f.node.dir, 'stranger.csr'), 'utf8'));
    const wrongKey = await call('provision', 'install_cert', { certificate: stranger, ca: ca.pem });
    assert.equal(wrongKey.statuscode, 1);
    assert.match(wrongKey.statusmsg, /does not match this node's private key/);
    assert.equal((await ok('status'))['has_cert'], false, 'nothing installed by refused requests');

    const installed = await ok('install_cert', { certificate, ca: ca.pem });
    writeFileSync(join(f.node.dir, 'node-cert.pem'), certificate);
    const expected = openssl(['x509', '-noout', '-fingerprint', '-sha256', '-in', 'node-cert.pem'], f.node.dir).trim().replace(/^.*=/, '');
    assert.deepEqual(installed, { installed: true, changed: true, fingerprint: expected });
    assert.equal((await ok('install_cert', { certificate, ca: ca.pem }))['changed'], false, 'idempotent');
    const status = await ok('status');
    assert.equal(status['has_key'], true);
    assert.equal(status['has_csr'], true);
    assert.equal(status['has_cert'], true);
    assert.equal(status['cert_fingerprint'], expected);
    assert.equal(readFileSync(join(f.node.sslDir, 'certs', 'ca.pem'), 'utf8'), ca.pem);
  });

  test('run_puppet maps exit codes 0/2 to OK and 4/6 to failure, with the master from set_master', async () => {
    writeFileSync(f.node.puppetOutput, 'Notice: Applied catalog in 0.42 seconds\nChanges:\n            Total: 3\nResources:\n          Changed: 3\n          Skipped: 7\n            Total: 40\n');
    writeFileSync(f.node.puppetExit, '2\n');
    const changed = await ok('run_puppet', { environment: 'bootstrap', tags: 'base,ssh' });
    assert.equal(changed['exitcode'], 2);
    assert.equal(changed['changed'], 3);
    assert.equal(changed['failed'], 0);
    assert.match(String(changed['summary']), /3 resource\(s\) changed, 0 failed; applied catalog in 0\.42 seconds/);
    const args = readFileSync(f.node.puppetArgs, 'utf8').trim().split(' ');
    for (const want of [['--environment', 'bootstrap'], ['--server', 'puppet2.example.net'], ['--tags', 'base,ssh'], ['--certname', f.node.identity], ['--ssldir', f.node.sslDir]]) {
      const at = args.indexOf(want[0] as string);
      assert.ok(at >= 0 && args[at + 1] === want[1], `${want.join(' ')} in ${args.join(' ')}`);
    }
    assert.ok(args.includes('--detailed-exitcodes') && args.includes('--onetime') && args.includes('--no-daemonize'));

    writeFileSync(f.node.puppetOutput, 'Error: Could not retrieve catalog from remote server: boom\nResources:\n          Changed: 1\n          Failed: 2\n');
    writeFileSync(f.node.puppetExit, '6\n');
    const failed = await call('provision', 'run_puppet', { noop: true });
    assert.equal(failed.statuscode, 1);
    assert.match(failed.statusmsg, /puppet agent failed: exit code 6: Error: Could not retrieve catalog from remote server: boom/);
    assert.equal(failed.data['exitcode'], 6);
    assert.equal(failed.data['failed'], 2);
    assert.ok(readFileSync(f.node.puppetArgs, 'utf8').includes('--noop'));
    writeFileSync(f.node.puppetExit, '4\n');
    assert.equal((await call('provision', 'run_puppet', {})).statuscode, 1);
  });

  const realPuppet = ['/usr/bin/puppet', '/opt/puppetlabs/bin/puppet'].find((p) => existsSync(p));
  test('run_puppet with real Puppet and no master to reach: status 1 with Puppet\'s error', { skip: !realPuppet && !process.env['CI'] ? 'puppet is not installed' : false }, async () => {
    assert.ok(realPuppet, 'puppet must be installed in CI (/usr/bin/puppet)');
    const port = await freePort(); // nothing listens there
    await ok('set_master', { host: '127.0.0.1', port });
    // Puppet's state, logs and run files in the temp dir, through the puppet.conf set_master wrote (passed as --config).
    const conf = readFileSync(f.node.puppetConf, 'utf8');
    writeFileSync(f.node.puppetConf, conf + ['vardir', 'logdir', 'rundir', 'codedir'].map((k) => `${k} = ${join(f.node.dir, `puppet-${k}`)}\n`).join(''));
    writeFileSync(f.node.puppetReal, realPuppet);
    try {
      const r = await call('provision', 'run_puppet', { environment: 'bootstrap' });
      assert.equal(r.statuscode, 1, r.statusmsg);
      assert.equal(r.data['exitcode'], 1);
      assert.match(r.statusmsg, new RegExp(`^puppet agent failed: exit code 1: Error: .*127\\.0\\.0\\.1:${port}`));
    } finally {
      writeFileSync(f.node.puppetReal, '');
      await ok('set_master', { host: 'puppet2.example.net' });
    }
  });

  test('configure refuses a config the daemon would not load', async () => {
    const bad = await call('provision', 'configure', { config: 'identity: x\ncolectives: [production]\n' });
    assert.equal(bad.statuscode, 4);
    assert.match(bad.statusmsg, /the new configuration would not load: .*colectives/);
    assert.ok(!existsSync(`${f.node.configFile}.bootstrap`), 'nothing written');
  });

});
