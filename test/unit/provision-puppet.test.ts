// run_puppet's building blocks: the command line, --summarize parsing, the
// summary line, and one real `puppet agent` run against a master that is not
// there (status: failed, with Puppet's own error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { puppetArgv, resourceCount, runPuppet, summarize, type PuppetRunOptions } from '../../packages/agents/src/provision/puppet-run.ts';

const base: PuppetRunOptions = {
  command: 'puppet',
  environment: 'production',
  noop: false,
  tags: '',
  server: undefined,
  masterport: undefined,
  puppetConf: undefined,
  sslDir: '/var/lib/cohort/ssl',
  certname: 'web1',
  timeoutMs: 60_000,
};

test('the command line: one-shot, detailed exit codes, the node ssl dir, and only the options given', () => {
  assert.deepEqual(puppetArgv(base), [
    'puppet', 'agent', '--onetime', '--no-daemonize', '--detailed-exitcodes', '--summarize', '--color', 'false', '--waitforcert', '0', '--logdest', 'console',
    '--environment', 'production', '--ssldir', '/var/lib/cohort/ssl', '--certname', 'web1',
  ]);
  const full = puppetArgv({ ...base, environment: 'bootstrap', noop: true, tags: 'a,b', server: 'p1', masterport: '8141', puppetConf: '/etc/p.conf' });
  assert.deepEqual(full.slice(12), ['--environment', 'bootstrap', '--config', '/etc/p.conf', '--ssldir', '/var/lib/cohort/ssl', '--certname', 'web1', '--server', 'p1', '--masterport', '8141', '--noop', '--tags', 'a,b']);
});

test('--summarize output: Changed and Failed come from the Resources block only', () => {
  const out = 'Notice: x\nChanges:\n            Total: 9\nEvents:\n          Failure: 4\nResources:\n          Changed: 3\n           Failed: 1\n            Total: 40\nTime:\n   Total: 2\n';
  assert.equal(resourceCount(out, 'Changed'), 3);
  assert.equal(resourceCount(out, 'Failed'), 1);
  assert.equal(resourceCount('Error: nothing\n', 'Changed'), 0);
});

test('summary: Puppet errors when there are any, else counts and the catalog time', () => {
  assert.equal(summarize(2, 'Notice: Applied catalog in 1.50 seconds\n', 2, 0), '2 resource(s) changed, 0 failed; applied catalog in 1.50 seconds');
  assert.equal(summarize(0, '', 0, 0), '0 resource(s) changed, 0 failed');
  assert.equal(summarize(1, 'Info: x\nError: Could not run: boom\nError: again\n', 0, 0), 'exit code 1: Error: Could not run: boom | Error: again');
  assert.equal(summarize(4, 'Notice: something\nlast words\n', 0, 1), 'exit code 4: 0 resource(s) changed, 1 failed; last words');
  assert.ok(summarize(1, `Error: ${'x'.repeat(1000)}`, 0, 0).length <= 400);
});

test('a missing puppet command is a failed run saying what to install', async () => {
  const r = await runPuppet({ ...base, command: '/nonexistent/puppet' });
  assert.equal(r.ok, false);
  assert.equal(r.exitcode, -1);
  assert.match(r.summary, /the puppet command '\/nonexistent\/puppet' was not found; install puppet-agent or set provisioning\.puppet_command/);
});

const puppet = ['/usr/bin/puppet', '/opt/puppetlabs/bin/puppet'].find((p) => existsSync(p));
test('real puppet agent with no master to reach: failed, with Puppet\'s error in the summary', { skip: !puppet && !process.env['CI'] ? 'puppet is not installed' : false, timeout: 120_000 }, async () => {
  assert.ok(puppet, 'puppet must be installed in CI (/usr/bin/puppet)');
  // A port that was free a moment ago: nothing answers there.
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'cohort-provision-puppet-'));
  // Keep Puppet's state, logs and run files in the temp dir too (it would use /var/lib/puppet as root).
  const conf = join(dir, 'puppet.conf');
  writeFileSync(conf, ['vardir', 'logdir', 'rundir', 'codedir'].map((k) => `${k} = ${join(dir, k)}`).join('\n').replace(/^/, '[main]\n') + '\n');
  try {
    const r = await runPuppet({
      ...base,
      command: puppet,
      server: '127.0.0.1',
      masterport: String(port),
      sslDir: join(dir, 'ssl'),
      certname: 'fresh1.example.net',
      puppetConf: conf,
      timeoutMs: 100_000,
    });
    assert.equal(r.ok, false, r.summary);
    assert.equal(r.exitcode, 1, r.summary);
    assert.match(r.summary, /^exit code 1: Error: /);
    assert.match(r.summary, /127\.0\.0\.1|connect|Connection refused/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
