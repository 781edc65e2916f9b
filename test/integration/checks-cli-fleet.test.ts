// The client side of checks end to end against real cohortd nodes running
// real checks (monitoring-plugins' check_dummy), in signed mode with
// actionpolicy: `cohort checks` reads the states the nodes write, `cohort
// checks run|maintenance|resume` drive the nodes' checks agent, `cohort
// events watch` sees the state changes they publish, `check_cohort_nrpe
// --cached` judges them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckEvent } from '@cohort/core';
import { cohort, cohortBin, repoRoot, startFleet, startNatsServer, type CliResult, type Fleet, type NatsServer, until as waitUntil } from '../harness/index.js';

const dummy = '/usr/lib/nagios/plugins/check_dummy';
const skip = existsSync(dummy) ? undefined : 'needs monitoring-plugins-basic (/usr/lib/nagios/plugins/check_dummy)';
const checkBin = join(repoRoot, 'packages/nagios/bin/check_cohort_nrpe.js');
const fast = { interval: '2s', retries: 1, splay: false };
const policies = {
  'rpcutil.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
  'checks.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
};

interface ChecksJson {
  checks: Array<{ identity: string; check: string; state: string; output: string; stale: boolean; maintenance?: { reason: string } }>;
  stats: Record<string, number>;
}

function until(check: () => Promise<boolean> | boolean, what: string, ms = 120_000): Promise<void> {
  return waitUntil(what, check, { timeoutMs: ms, everyMs: 250 });
}

describe('checks client against real nodes', { skip }, () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[]): Promise<CliResult> => cohort([...args, '--connect-timeout', '30'], { nats: nats.url, env, timeoutMs: 120_000 });
  const states = async (args: string[] = []): Promise<{ r: CliResult; j: ChecksJson }> => {
    const r = await run(['checks', ...args, '--json']);
    return { r, j: JSON.parse(r.stdout || '{"checks":[],"stats":{}}') as ChecksJson };
  };

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'cohort-checks-cli-fleet-'));
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir,
      nodes: [
        { identity: 'n1', facts: { role: 'web' }, classes: [] },
        { identity: 'n2', facts: { role: 'db' }, classes: [] },
      ],
      secure: { policies },
      registry: true,
      readyTimeoutMs: 300_000,
      config: {
        checks: {
          fine: { command: [dummy, '0', 'all good'], ...fast },
          bad: { command: [dummy, '2', 'on fire'], ...fast },
        },
      },
    });
    env = fleet.clientEnv;
  });

  after(async () => {
    await fleet?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('cohort checks reads the states the nodes write and verify', async () => {
    await until(async () => (await states()).j.checks.filter((c) => c.state !== 'pending').length === 4, 'both nodes report both checks');
    const { r, j } = await states();
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(j.checks.map((c) => `${c.identity}/${c.check}=${c.state}`), ['n1/bad=critical', 'n1/fine=ok', 'n2/bad=critical', 'n2/fine=ok']);
    assert.equal(j.checks[0]?.output, 'CRITICAL: on fire');
    assert.equal(j.stats['refused'], 0);
    assert.equal((await run(['checks', '--check', 'fine'])).code, 0);
    const cached = spawnSync(process.execPath, [checkBin, '--nats', nats.url, '--cached', '-F', 'role=web', 'bad'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(cached.status, 2, cached.stdout);
    assert.match(cached.stdout, /^bad: OK: 0 WARNING: 0 CRITICAL: 1 UNKNOWN: 0\|total=1 /);
    assert.match(cached.stdout, /^CRITICAL: n1: CRITICAL: on fire$/m);
  });

  test('checks run, maintenance (seen live by events watch) and resume go through the nodes\' checks agent', async () => {
    const ran = await run(['checks', 'run', 'fine', '-I', 'n1']);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    const watch = spawn(process.execPath, [cohortBin, 'events', 'watch', '--json', '-I', 'n2', '--check', 'fine', '--count', '1', '--connect-timeout', '30'], {
      env: { ...process.env, NO_COLOR: '1', COHORT_NATS: nats.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    watch.stdout.on('data', (d: Buffer) => (out += d));
    watch.stderr.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((resolve) => watch.on('close', resolve));
    const killer = setTimeout(() => watch.kill('SIGKILL'), 120_000);
    try {
      await until(() => /watching check events/.test(err) || watch.exitCode !== null, 'events watch is following');
      const m = await run(['checks', 'maintenance', 'fine', '-I', 'n2', '--for', '1h', '--reason', 'kernel upgrade']);
      assert.equal(m.code, 0, m.stdout + m.stderr);
      assert.equal(await exited, 0, err);
      const e = JSON.parse(out.trim()) as CheckEvent;
      assert.deepEqual([e.identity, e.check, e.previous, e.state], ['n2', 'fine', 'ok', 'maintenance']);
      assert.equal(e.maintenance?.reason, 'kernel upgrade');
    } finally {
      clearTimeout(killer);
      watch.kill('SIGKILL');
    }
    const inMaintenance = await states(['--check', 'fine', '-I', 'n2']);
    assert.equal(inMaintenance.j.checks[0]?.state, 'maintenance');
    assert.equal(inMaintenance.j.checks[0]?.maintenance?.reason, 'kernel upgrade');
    assert.equal(inMaintenance.r.code, 0, 'maintenance counts as OK');
    const resumed = await run(['checks', 'resume', 'fine', '-I', 'n2']);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    await until(async () => (await states(['--check', 'fine', '-I', 'n2'])).j.checks[0]?.state === 'ok', 'the check is OK again');
  });
});
