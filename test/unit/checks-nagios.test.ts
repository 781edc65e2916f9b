// The nagios check kind with real monitoring-plugins: states from exit codes,
// output, long output and perfdata by the plugin rules, a hanging plugin
// killed at its timeout (with its children), a missing plugin, NRPE commands
// from the node's NRPE config.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseCheckDefinition, type CheckDefinition } from '@cohort/core';
import { NagiosKind, type CheckRunContext } from '@cohort/server';
import { describe, test } from '../harness/skip.js';
import { repoRoot } from '../harness/index.js';
import { until } from '../harness/wait.ts';

const plugins = '/usr/lib/nagios/plugins';
const missing = existsSync(join(plugins, 'check_dummy')) ? undefined : 'needs monitoring-plugins-basic (/usr/lib/nagios/plugins/check_dummy)';
const fixtures = join(repoRoot, 'test/fixtures/checks');

function def(settings: Record<string, unknown>, name = 'c'): CheckDefinition {
  const d = parseCheckDefinition(name, { interval: '60s', ...settings }, 'config');
  assert.ok(typeof d !== 'string', String(d));
  return d;
}

function ctx(signal = new AbortController().signal): CheckRunContext {
  return { signal, metrics: () => new Map(), identity: 'n1', clock: Date.now };
}

describe('the nagios kind', { skip: missing }, () => {
  const kind = new NagiosKind({ nrpe: { confFile: null, confDir: null } });

  test('check_dummy: each exit code is its state, with the output; $name$ filled from vars', async () => {
    for (const [code, state] of [[0, 'ok'], [1, 'warning'], [2, 'critical'], [3, 'unknown']] as const) {
      const r = await kind.run(def({ command: [`${plugins}/check_dummy`, '$code$', '$text$'], vars: { code, text: `code ${code}` } }), ctx());
      assert.equal(r.state, state);
      assert.equal(r.exit_code, code);
      assert.match(r.output, new RegExp(`^${state.toUpperCase()}: code ${code}$`));
      assert.deepEqual(r.perfdata, []);
      assert.ok(r.time >= Date.now() - 60_000 && r.duration_ms >= 0);
    }
  });

  test('check_load: real perfdata parsed', async () => {
    const r = await kind.run(def({ command: [`${plugins}/check_load`, '-w', '$w$', '-c', '$c$'], vars: { w: '900,900,900', c: '999,999,999' } }), ctx());
    assert.equal(r.state, 'ok', r.output);
    assert.match(r.output, /^LOAD OK/);
    assert.deepEqual(r.perfdata.map((p) => p.label), ['load1', 'load5', 'load15']);
    assert.equal(r.perfdata[0]?.warn, '900.000');
    assert.equal(r.perfdata[0]?.min, 0);
    assert.equal(typeof r.perfdata[0]?.value, 'number');
  });

  test('long output and perfdata over several lines', async () => {
    const r = await kind.run(def({ command: [join(fixtures, 'multi')] }), ctx());
    assert.equal(r.state, 'warning');
    assert.equal(r.output, 'DISK WARNING - /var at 81%');
    assert.equal(r.long_output, '/var is filling up\nrotate the logs');
    assert.deepEqual(r.perfdata.map((p) => `${p.label}=${p.value}${p.uom ?? ''}`), ['/var=81%', '/=40%', '/home=12%']);
  });

  test('a hanging plugin is killed at the timeout, with what it started: unknown, saying so', async () => {
    const marker = `hang-${process.pid}-${Date.now()}`;
    const r = await kind.run(def({ command: [join(fixtures, 'hang'), marker], timeout: '1s' }), ctx());
    assert.equal(r.state, 'unknown');
    assert.match(r.output, /^plugin timed out after 1 s and was killed: .*hang$/);
    assert.equal(r.exit_code, null);
    // Neither the script nor its background sleep survives (SIGKILL went to the group; on a busy machine they take a moment to die).
    const left = () => {
      try {
        return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    };
    await until(`the plugin's processes (${marker}) to be gone`, () => left() === '', { timeoutMs: 10_000, everyMs: 50 });
  });

  test('a missing plugin is unknown: plugin not found: PATH', async () => {
    const r = await kind.run(def({ command: [`${plugins}/check_nonexistent`, '-w', '1'] }), ctx());
    assert.equal(r.state, 'unknown');
    assert.equal(r.output, `plugin not found: ${plugins}/check_nonexistent`);
  });

  test('an exit code outside 0-3 is unknown with the reason', async () => {
    const r = await kind.run(def({ command: ['/bin/sh', '-c', 'echo broken; exit 7'] }), ctx());
    assert.equal(r.state, 'unknown');
    assert.match(r.output, /plugin exited with code 7.*: broken/);
  });

  test('nrpe: runs the command of the node NRPE config; an unknown command is unknown naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'checks-nrpe-'));
    const cfg = join(dir, 'nrpe.cfg');
    writeFileSync(cfg, `command[check_crit]=${plugins}/check_dummy 2 "from nrpe"\n`);
    const k = new NagiosKind({ nrpe: { confFile: cfg, confDir: null } });
    const r = await k.run(def({ nrpe: 'check_crit' }), ctx());
    assert.equal(r.state, 'critical');
    assert.equal(r.output, 'CRITICAL: from nrpe');
    const u = await k.run(def({ nrpe: 'check_other' }), ctx());
    assert.equal(u.state, 'unknown');
    assert.match(u.output, new RegExp(`no NRPE command 'check_other' on this node \\(read: ${cfg}\\)`));
  });

  test('aborted (check removed, shutdown): the plugin is stopped and the result says why', async () => {
    const ac = new AbortController();
    const running = kind.run(def({ command: [join(fixtures, 'hang')], timeout: '30s' }), ctx(ac.signal));
    setTimeout(() => ac.abort(new Error('check:c was removed')), 200);
    const r = await running;
    assert.equal(r.state, 'unknown');
    assert.match(r.output, /plugin stopped: check:c was removed/);
  });
});
