import { spawn } from 'node:child_process';
import type { ExecHandlerSpec } from '../config.js';
import { notificationPayload, type Notification } from '../notification.js';
import type { Handler } from './types.js';

/**
 * `type: exec`: runs the argv (no shell) with the notification JSON on stdin
 * and COHORT_* variables in its environment; exit 0 is delivered, anything
 * else (or the timeout: SIGTERM, then SIGKILL 2 s later) a failure.
 */
export function execHandler(spec: ExecHandlerSpec): Handler {
  return {
    name: spec.name,
    describe: `exec ${spec.command.join(' ')}`,
    send(n: Notification, signal: AbortSignal) {
      const e = n.event;
      return new Promise<void>((resolve, reject) => {
        const [program, ...args] = spec.command;
        const child = spawn(program!, args, {
          stdio: ['pipe', 'ignore', 'pipe'],
          env: {
            ...process.env,
            ...spec.env,
            COHORT_NOTIFICATION_ID: n.id,
            COHORT_NOTIFICATION_KIND: n.kind,
            COHORT_IDENTITY: e.identity,
            COHORT_CHECK: e.check,
            COHORT_STATE: e.state,
            COHORT_PREVIOUS: e.previous,
          },
        });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          if (stderr.length < 4096) stderr += d.toString();
        });
        let killer: ReturnType<typeof setTimeout> | undefined;
        const onAbort = () => {
          child.kill('SIGTERM');
          killer = setTimeout(() => child.kill('SIGKILL'), 2000);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        child.on('error', (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(new Error(`cannot run ${program}: ${err.message}`));
        });
        child.on('close', (code, sig) => {
          signal.removeEventListener('abort', onAbort);
          clearTimeout(killer);
          const tail = stderr.trim() ? `: ${stderr.trim().slice(0, 300)}` : '';
          if (signal.aborted) reject(new Error(`${program} did not finish within ${spec.timeoutMs / 1000} s${tail}`));
          else if (code === 0) resolve();
          else reject(new Error(`${program} ${sig ? `was killed by ${sig}` : `exited with ${code}`}${tail}`));
        });
        // A program that does not read stdin closes it: not an error.
        child.stdin.on('error', () => undefined);
        child.stdin.end(JSON.stringify(notificationPayload(n, spec.name)) + '\n');
      });
    },
    close() {},
  };
}
