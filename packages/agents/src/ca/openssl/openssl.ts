import { AgentError } from '../../errors.js';
import { firstLine, runCommand } from '../run-command.js';

/** How long one openssl command may take (key generation is the slowest, well under a second). */
const opensslTimeoutMs = 30_000;

/** Runs the openssl CLI: `openssl(['x509', ...], { input })` resolves to its stdout. */
export type Openssl = (args: readonly string[], options?: { input?: string }) => Promise<string>;

/**
 * An {@link Openssl} for `command` (ca.openssl_command), run with execFile.
 * A failing run throws AgentError (status 1) with openssl's own error line.
 */
export function opensslTool(command: string, signal?: AbortSignal): Openssl {
  return async (args, options = {}) => {
    const run = { timeoutMs: opensslTimeoutMs, setting: 'ca.openssl_command', ...(signal ? { signal } : {}), ...(options.input !== undefined ? { input: options.input } : {}) };
    const result = await runCommand(command, args, run);
    if (result.code === 0) return result.stdout;
    const why = firstLine(result.stderr) || firstLine(result.stdout) || `exit code ${String(result.code)}`;
    throw new AgentError(`openssl ${args[0] ?? ''} failed: ${why}`, 1);
  };
}
