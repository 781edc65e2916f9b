import { AgentError } from '../../errors.js';
import type { CommandResult } from '../run-command.js';

const notRunning = /Connection refused|Failed to open TCP connection|Failed connecting to|No route to host|getaddrinfo|Connection reset/i;
const noCa = /X509_LOOKUP_load_file|StoreError|could not find (?:the )?CA (?:certificate|cert)/i;

/** The lines worth showing from `puppetserver ca` output: no "Error:" headings, no Ruby backtrace. */
export function meaningfulLines(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'Error:' && !/^from \//.test(l) && !/^\/\S+\.rb:\d+:in /.test(l));
}

/**
 * Turn a failed `puppetserver ca <action>` run into an AgentError that says
 * what is wrong and what to do: the server not running, the CA not set up,
 * or puppetserver's own message.
 */
export function puppetCaFailure(action: string, result: CommandResult): AgentError {
  const output = `${result.stdout}\n${result.stderr}`;
  const lines = meaningfulLines(output);
  if (notRunning.test(output)) {
    const cause = lines.find((l) => notRunning.test(l) && /cause/i.test(l)) ?? lines.find((l) => notRunning.test(l)) ?? '';
    return new AgentError(`puppetserver is not running or not reachable (${cause.replace(/^Root cause:\s*/i, '')}); start it (systemctl start puppetserver) and retry`, 1);
  }
  if (noCa.test(output)) {
    return new AgentError("Puppet's CA is not set up (puppetserver ca could not load the CA certificate); start puppetserver once so it creates its CA, or run puppetserver ca setup", 1);
  }
  const said = lines.join(' ').slice(0, 400) || `exit code ${String(result.code)}, no output`;
  return new AgentError(`puppetserver ca ${action} failed: ${said}`, 1);
}
