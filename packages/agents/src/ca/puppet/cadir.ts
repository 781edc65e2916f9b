import { join } from 'node:path';
import { AgentError } from '../../errors.js';
import { firstLine, runCommand } from '../run-command.js';

/** Where Puppet's CA keeps its files (Puppet's `cadir`). */
export interface PuppetCaPaths {
  readonly dir: string;
  readonly caCert: string;
  readonly requests: string;
  readonly signed: string;
}

/** The file layout of a Puppet CA directory. */
export function puppetCaPaths(dir: string): PuppetCaPaths {
  return { dir, caCert: join(dir, 'ca_crt.pem'), requests: join(dir, 'requests'), signed: join(dir, 'signed') };
}

/** The files of one certname in a Puppet CA directory. */
export function certnameFiles(paths: PuppetCaPaths, certname: string): { request: string; signed: string } {
  return { request: join(paths.requests, `${certname}.pem`), signed: join(paths.signed, `${certname}.pem`) };
}

/**
 * Ask Puppet where the server's CA directory is: `puppet config print cadir
 * --section server` (with `--config` when the server uses another
 * puppet.conf). `puppet` is installed wherever puppetserver is.
 */
export async function findPuppetCadir(puppet: string, config: string | null, signal?: AbortSignal): Promise<string> {
  const args = ['config', 'print', 'cadir', '--section', 'server', ...(config ? ['--config', config] : [])];
  const result = await runCommand(puppet, args, { timeoutMs: 60_000, setting: 'PATH (the puppet command is needed to find the Puppet CA directory)', ...(signal ? { signal } : {}) });
  const dir = firstLine(result.stdout).replace(/^cadir\s*=\s*/, '');
  if (result.code !== 0 || !dir.startsWith('/')) {
    const why = firstLine(result.stderr) || firstLine(result.stdout) || `exit code ${String(result.code)}`;
    throw new AgentError(`could not find the Puppet CA directory with 'puppet ${args.join(' ')}': ${why}`, 1);
  }
  return dir;
}
