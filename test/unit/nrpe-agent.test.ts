import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@cohort/core/log';
import type { ActionContext, NodeInfo } from '../../packages/agents/src/index.ts';
import { nrpe } from '../../packages/agents/src/nrpe/index.ts';
import { CheckNotOkError } from '../../packages/agents/src/nrpe/reply.ts';
import { pluginTimeout, secondsToReply } from '../../packages/agents/src/nrpe/settings.ts';
import { actionContext, configNode } from './node-fakes.js';
import { spawnPlugin } from '../../packages/agents/src/nrpe/spawn-plugin.ts';
import { pidAlive } from '../harness/process.ts';
import { until } from '../harness/wait.ts';

/** A node whose `nrpe:` section is `section` (loaded as cohortd loads it). */
function node(section: Record<string, unknown>): NodeInfo {
  return configNode({ nrpe: section });
}

function ctx(n: NodeInfo, signal = new AbortController().signal): ActionContext {
  return actionContext(n, { signal, agent: 'nrpe', action: 'runcommand' });
}

function nrpeDir(cfg: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-nrpe-agent-'));
  mkdirSync(join(dir, 'nrpe.d'));
  writeFileSync(join(dir, 'nrpe.cfg'), cfg);
  return dir;
}

const settings = (dir: string, extra: Record<string, unknown> = {}) => ({ conf_file: join(dir, 'nrpe.cfg'), conf_dir: join(dir, 'nrpe.d'), ...extra });

test('activation: not loaded, with the reason, when there is no NRPE configuration', async () => {
  const reason = await nrpe.activate?.({ log: silentLogger(), node: node({ conf_file: '/nonexistent/nrpe.cfg', conf_dir: '/nonexistent/nrpe.d' }) });
  assert.match(String(reason), /^no NRPE configuration: \/nonexistent\/nrpe\.cfg is not a file/);
  const dir = nrpeDir('');
  try {
    assert.equal(await nrpe.activate?.({ log: silentLogger(), node: node(settings(dir)) }), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runcommand: OK returns the outputs; not OK throws status 1 carrying them; unknown command is UNKNOWN', async () => {
  const dir = nrpeDir('command[ok]=/bin/echo "fine|x=1"\ncommand[crit]=/bin/sh -c "echo broken; exit 2"\n');
  try {
    const n = node(settings(dir));
    assert.deepEqual(await nrpe.actions['runcommand']?.({ command: 'ok' }, ctx(n)), { exitcode: 0, output: 'fine', perfdata: 'x=1', command: 'ok' });
    await assert.rejects(async () => nrpe.actions['runcommand']?.({ command: 'crit' }, ctx(n)), (err: unknown) => {
      assert.ok(err instanceof CheckNotOkError);
      assert.equal(err.status, 1);
      assert.equal(err.message, 'CRITICAL');
      assert.deepEqual(err.data, { exitcode: 2, output: 'broken', perfdata: '', command: 'crit' });
      return true;
    });
    await assert.rejects(async () => nrpe.actions['runcommand']?.({ command: 'nope' }, ctx(n)), (err: unknown) => {
      assert.ok(err instanceof CheckNotOkError);
      assert.equal(err.message, 'UNKNOWN');
      assert.deepEqual(err.data, { exitcode: 3, output: 'No such command: nope', perfdata: '', command: 'nope' });
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runcommand: arguments need dont_blame_nrpe=1 or nrpe.allow_arguments', async () => {
  const dir = nrpeDir('command[echo]=/bin/echo "$ARG1$"\n');
  try {
    const denied = nrpe.actions['runcommand']?.({ command: 'echo', args: 'hi' }, ctx(node(settings(dir))));
    await assert.rejects(async () => denied, (err: unknown) => err instanceof CheckNotOkError && /not allowed/.test(String(err.data?.['output'])));
    const allowed = await nrpe.actions['runcommand']?.({ command: 'echo', args: 'hi; id' }, ctx(node(settings(dir, { allow_arguments: true }))));
    assert.deepEqual(allowed, { exitcode: 0, output: 'hi; id', perfdata: '', command: 'echo' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("plugin timeout: command_timeout, never closer than 1 s to the action's deadline", () => {
  const now = 1_000_000;
  assert.equal(pluginTimeout({ deadline: now + 30_000 }, undefined, now), 29);
  assert.equal(pluginTimeout({ deadline: now + 30_000 }, 5, now), 5);
  assert.equal(pluginTimeout({ deadline: now + 10_000 }, 60, now), 9);
  assert.equal(pluginTimeout({ deadline: now + 500 }, 60, now), 0.1, 'a deadline about to pass still gives the plugin a moment');
  assert.equal(secondsToReply({ deadline: now + 12_500 }, now), 11.5);
});

/** Running (a killed orphan may linger as a zombie until init reaps it: that counts as gone). */
test('spawnPlugin: a timeout kills the whole process group', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-nrpe-spawn-'));
  const pidFile = join(dir, 'child.pid');
  try {
    const run = await spawnPlugin(['/bin/sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], { timeoutMs: 300 });
    assert.equal(run.timedOut, true);
    const child = readFileSync(pidFile, 'utf8').trim();
    await until('the background child to go with its group', () => !pidAlive(child), { timeoutMs: 10_000, everyMs: 20 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spawnPlugin: abort signal, missing program, output captured', async () => {
  const controller = new AbortController();
  const pending = spawnPlugin(['/bin/sleep', '30'], { timeoutMs: 10_000, signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  const aborted = await pending;
  assert.equal(aborted.aborted, true);
  const missing = await spawnPlugin(['/nonexistent/plugin'], { timeoutMs: 1000 });
  assert.equal(missing.error?.code, 'ENOENT');
  const ok = await spawnPlugin(['/bin/sh', '-c', 'echo out; echo err >&2; exit 2'], { timeoutMs: 2000 });
  assert.deepEqual([ok.stdout, ok.stderr, ok.code, ok.timedOut], ['out\n', 'err\n', 2, false]);
});
