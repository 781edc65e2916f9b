/**
 * Parsing one NRPE configuration file (nrpe.cfg or an include), as NRPE reads
 * it: `key=value` lines, `#` comments, blank lines ignored. The directives the
 * agent uses are `command[name]=command line`, `include=FILE`,
 * `include_dir=DIR`, `dont_blame_nrpe=0|1` and `command_timeout=SECONDS`;
 * everything else (server_port, allowed_hosts, ...) is NRPE's own business
 * and ignored.
 */

/** One `command[name]=...` definition. */
export interface NrpeCommand {
  name: string;
  /** The command line as written, `$ARGn$` macros included. */
  cmdline: string;
  /** Where it was defined, for messages. */
  file: string;
  line: number;
}

/** One directive the agent cares about, in file order (NRPE applies them in order; later ones win). */
export type NrpeEntry =
  | { kind: 'command'; command: NrpeCommand }
  | { kind: 'include'; path: string }
  | { kind: 'include_dir'; path: string }
  | { kind: 'dont_blame_nrpe'; allowed: boolean }
  | { kind: 'command_timeout'; seconds: number };

/** What one file says. */
export interface ParsedNrpeFile {
  entries: NrpeEntry[];
  /** Lines that could not be understood, as `file:line: reason`. */
  problems: string[];
}

const commandKey = /^command\[([^\]]*)\]$/;
const commandName = /^[A-Za-z0-9_-]+$/;

/** Parse the text of one NRPE configuration file. Pure; never throws. */
export function parseNrpeConfig(text: string, file: string): ParsedNrpeFile {
  const entries: NrpeEntry[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const where = `${file}:${i + 1}`;
    const eq = raw.indexOf('=');
    if (eq === -1) {
      problems.push(`${where}: expected key=value, got '${raw}'`);
      continue;
    }
    const key = raw.slice(0, eq).trim();
    // The command line is everything after the first '=' (it may hold more).
    const value = raw.slice(eq + 1).trim();
    const cmd = commandKey.exec(key);
    if (cmd) {
      const name = (cmd[1] ?? '').trim();
      if (!commandName.test(name)) problems.push(`${where}: command name '${name}' may only use letters, digits, _ and -`);
      else if (value === '') problems.push(`${where}: command[${name}] has an empty command line`);
      else entries.push({ kind: 'command', command: { name, cmdline: value, file, line: i + 1 } });
      continue;
    }
    switch (key) {
      case 'include':
      case 'include_dir':
        if (value === '') problems.push(`${where}: ${key} needs a path`);
        else entries.push({ kind: key, path: value });
        break;
      case 'dont_blame_nrpe':
        entries.push({ kind: 'dont_blame_nrpe', allowed: value === '1' });
        break;
      case 'command_timeout': {
        const seconds = Number(value);
        if (value !== '' && Number.isFinite(seconds) && seconds > 0) entries.push({ kind: 'command_timeout', seconds });
        else problems.push(`${where}: command_timeout must be a positive number of seconds, got '${value}'`);
        break;
      }
      default:
        break;
    }
  }
  return { entries, problems };
}
