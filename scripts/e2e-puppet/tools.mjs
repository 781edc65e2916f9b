// Small helpers for the Puppet e2e script: run a command (never through a
// shell, always with a deadline), call an agent through the real cohort CLI,
// time and report each step.
import { execFile } from 'node:child_process';
import { cohortBin, exampleClientConfig } from '../harness.mjs';

/**
 * Run `command args`; resolves to { code, stdout, stderr } whatever the exit code.
 * @param {string} command @param {string[]} args @param {{ timeoutMs?: number, input?: string, env?: Record<string, string> }} [options]
 */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...options.env } },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(new Error(`${command} ${args.join(' ')}: ${err.message}\n${stderr}`));
        resolve({ code: err ? err.code : 0, stdout, stderr });
      },
    );
    child.stdin?.on('error', () => undefined); // a command that exits without reading its input
    child.stdin?.end(options.input ?? '');
  });
}

/** Run and insist on exit code 0 (or one of `okCodes`); returns stdout. */
export async function runOk(command, args, options = {}, okCodes = [0]) {
  const r = await run(command, args, options);
  if (!okCodes.includes(r.code)) throw new Error(`${command} ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * `cohort rpc <agent> <action> k=v... -T collective -I identity --json`: the one reply.
 * @returns {Promise<{ sender: string, statuscode: number, statusmsg: string, data: Record<string, any> }>}
 */
export async function rpc(natsUrl, agent, action, inputs, { identity, collective = 'cohort', timeoutMs = 150_000 }) {
  const args = Object.entries(inputs).map(([k, v]) => `${k}=${v}`);
  const r = await run(process.execPath, [cohortBin, 'rpc', agent, action, ...args, '-T', collective, '-I', identity, '--json'], {
    timeoutMs,
    env: { NO_COLOR: '1', COHORT_CONFIG: exampleClientConfig, COHORT_NATS: natsUrl },
  });
  if (r.code !== 0 && r.code !== 1) throw new Error(`cohort rpc ${agent} ${action} exited ${r.code}: ${r.stderr}`);
  const replies = JSON.parse(r.stdout).replies;
  if (replies.length !== 1) throw new Error(`cohort rpc ${agent} ${action}: expected one reply from ${identity}, got ${replies.length}: ${r.stdout}`);
  return replies[0];
}

/** rpc that must succeed (status 0); returns the reply data. */
export async function rpcOk(natsUrl, agent, action, inputs, where) {
  const reply = await rpc(natsUrl, agent, action, inputs, where);
  if (reply.statuscode !== 0) throw new Error(`${agent} ${action} on ${reply.sender}: status ${reply.statuscode} ${reply.statusmsg}`);
  return reply.data;
}

/** Throw `message` unless `condition`. */
export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Records how long each step took and prints it as it ends. */
export function stepper() {
  /** @type {Array<{ name: string, ms: number, ok: boolean, note?: string }>} */
  const steps = [];
  return {
    steps,
    /** @template T @param {string} name @param {() => Promise<T>} fn @returns {Promise<T>} */
    async step(name, fn) {
      const started = Date.now();
      process.stderr.write(`==> ${name}\n`);
      try {
        const value = await fn();
        const ms = Date.now() - started;
        steps.push({ name, ms, ok: true });
        process.stderr.write(`    ok (${(ms / 1000).toFixed(1)} s)\n`);
        return value;
      } catch (err) {
        steps.push({ name, ms: Date.now() - started, ok: false, note: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    },
    skip(name, why) {
      steps.push({ name, ms: 0, ok: true, note: `skipped: ${why}` });
      process.stderr.write(`==> ${name}\n    skipped: ${why}\n`);
    },
    summary() {
      const width = Math.max(...steps.map((s) => s.name.length));
      return steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.name.padEnd(width)} ${(s.ms / 1000).toFixed(1).padStart(6)} s${s.note ? `  (${s.note.split('\n')[0]})` : ''}`).join('\n');
    },
  };
}
