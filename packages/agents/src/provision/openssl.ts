import { childProcess } from '@cohort/core';
import { AgentError } from '../errors.js';

/** How long one openssl command may take (RSA key generation is the slowest, well under a second). */
const opensslTimeoutMs = 30_000;

/** Runs the openssl CLI; `openssl(['x509', ...])` resolves to its stdout. */
export type OpensslRunner = (args: readonly string[]) => Promise<string>;

/** The line of openssl's output that says what went wrong: the first mentioning an error, else the first. */
function reason(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? '';
}

/**
 * An OpensslRunner for `command` (provisioning.openssl_command), executed
 * directly with execFile (never through a shell). A missing command or a
 * failing run throws AgentError (status 1) naming the command and giving
 * openssl's own error line.
 */
export function opensslRunner(command: string, signal?: AbortSignal): OpensslRunner {
  return (args) =>
    new Promise((resolve, reject) => {
      childProcess().execFile(command, [...args], { timeout: opensslTimeoutMs, maxBuffer: 4 * 1024 * 1024, ...(signal ? { signal } : {}) }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          return reject(new AgentError(`the openssl command '${command}' was not found; install openssl or set provisioning.openssl_command`, 1, { cause: err }));
        }
        const why = reason(`${stderr}\n${stdout}`) || err.message;
        reject(new AgentError(`openssl ${args[0] ?? ''} failed: ${why}`, 1, { cause: err }));
      });
    });
}
