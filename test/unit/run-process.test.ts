// The one process runner (packages/agents/src/lib/run-process.ts) behind
// the NRPE plugins (kill at once) and external agents (SIGTERM, then
// SIGKILL after a grace period): the deadline, the abort signal, the output
// cap, the grace kill, the whole process group stopped, cwd and env.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../packages/agents/src/lib/run-process.ts';
import { pidAlive } from '../harness/process.ts';
import { until } from '../harness/wait.ts';

/** Running (a killed orphan may linger as a zombie until init reaps it: that counts as gone). */
function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-run-process-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('exit code, stdout and stderr; cwd and exactly the env given', withDir(async (dir) => {
  const run = await runProcess('/bin/sh', ['-c', 'pwd; echo "[$COHORT_X][$HOME]" >&2; exit 3'], { timeoutMs: 10_000, cwd: dir, env: { COHORT_X: 'x' } });
  assert.deepEqual([run.stdout, run.stderr, run.code, run.signal, run.timedOut, run.aborted, run.killed, run.truncated, run.error], [`${dir}\n`, '[x][]\n', 3, null, false, false, false, false, undefined]);
}));

test('a program that cannot be started is an error, not a rejection', async () => {
  const run = await runProcess('/nonexistent/program', [], { timeoutMs: 10_000 });
  assert.equal(run.error?.code, 'ENOENT');
  assert.equal(run.code, null);
});

test('output past maxOutputBytes is read and dropped, per stream, and says truncated', async () => {
  const run = await runProcess('/bin/sh', ['-c', 'head -c 5000 /dev/zero | tr "\\0" a; echo short >&2'], { timeoutMs: 10_000, maxOutputBytes: 1000 });
  assert.equal(run.stdout, 'a'.repeat(1000));
  assert.equal(run.stderr, 'short\n');
  assert.equal(run.truncated, true);
  assert.equal(run.code, 0, 'the process was not blocked by the cap');
});

test('without a grace period the deadline kills the whole process group at once', withDir(async (dir) => {
  const pidFile = join(dir, 'child.pid');
  // The shell ignores SIGTERM: only SIGKILL stops it.
  const run = await runProcess('/bin/sh', ['-c', `trap "" TERM; sleep 60 & echo $! > ${pidFile}; wait`], { timeoutMs: 300 });
  assert.deepEqual([run.timedOut, run.aborted, run.killed], [true, false, false]);
  const child = readFileSync(pidFile, 'utf8').trim();
  await until('the background child to be killed with its group', () => !pidAlive(child), { timeoutMs: 10_000, everyMs: 20 });
}));

test('with a grace period the group gets SIGTERM first; one that obeys is not SIGKILLed', withDir(async (dir) => {
  const pidFile = join(dir, 'child.pid');
  const run = await runProcess('/bin/sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`], { timeoutMs: 300, graceMs: 30_000 });
  assert.deepEqual([run.timedOut, run.killed, run.signal], [true, false, 'SIGTERM']);
  const child = readFileSync(pidFile, 'utf8').trim();
  await until('the background child to be stopped with its group', () => !pidAlive(child), { timeoutMs: 10_000, everyMs: 20 });
}));

test('with a grace period a process ignoring SIGTERM gets SIGKILL after it, and the run waits for its exit', withDir(async (dir) => {
  const pidFile = join(dir, 'child.pid');
  const run = await runProcess('/bin/sh', ['-c', `trap "" TERM; echo $$ > ${pidFile}; while :; do sleep 0.05; done`], { timeoutMs: 300, graceMs: 200 });
  assert.deepEqual([run.timedOut, run.killed, run.signal], [true, true, 'SIGKILL']);
  assert.ok(existsSync(pidFile));
  assert.equal(pidAlive(readFileSync(pidFile, 'utf8').trim()), false, 'the process is gone when the run resolves');
}));

test('the abort signal stops the run (already aborted too), with or without grace', async () => {
  const controller = new AbortController();
  const pending = runProcess('/bin/sleep', ['60'], { timeoutMs: 60_000, signal: controller.signal });
  const graceful = runProcess('/bin/sleep', ['60'], { timeoutMs: 60_000, signal: controller.signal, graceMs: 5000 });
  controller.abort();
  const [a, b] = await Promise.all([pending, graceful]);
  assert.deepEqual([a.aborted, a.timedOut, b.aborted, b.signal], [true, false, true, 'SIGTERM']);
  const early = await runProcess('/bin/sleep', ['60'], { timeoutMs: 60_000, signal: AbortSignal.abort() });
  assert.equal(early.aborted, true);
});
