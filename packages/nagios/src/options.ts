/**
 * Command line of the `check_cohort_nrpe` Nagios plugin. Parsed by hand (no
 * yargs) so the plugin starts fast and every mistake ends as a Nagios
 * UNKNOWN (exit 3), never as a usage exit code Nagios would misread.
 */

/** Alert thresholds; see {@link evaluateCheck}. Counts are hosts, percents of all hosts counted. */
export interface Thresholds {
  warningCount?: number;
  warningPercent?: number;
  criticalCount?: number;
  criticalPercent?: number;
  unknownCount?: number;
  unknownPercent?: number;
}

/** A parsed `check_cohort_nrpe` command line. */
export interface CheckArgs {
  /** The NRPE command to run on the nodes. */
  command: string;
  /** `$ARGn$` arguments, `!`-separated. */
  args: string | undefined;
  /** Discovery filter flags, as the cohort CLI takes them. */
  filter: { fact: string[]; cls: string[]; identity: string[]; agent: string[]; with: string[]; select: string[] };
  collective: string | undefined;
  nats: string[];
  config: string | undefined;
  ddlDirs: string[];
  /** Hard overall deadline in seconds. */
  timeout: number;
  /** Discovery timeout in seconds. */
  discoveryTimeout: number;
  /** Nodes that must answer; fewer is UNKNOWN. */
  expect: number | undefined;
  thresholds: Thresholds;
  /** --cached: judge the nodes' cached check states of check `command` (no request to the fleet). */
  cached: boolean;
  /** --issuer: issuer public keys whose node certificates are trusted (with the config's issuers). */
  issuers: string[];
}

/** What the command line asks for. */
export type CheckRequest = { kind: 'check'; args: CheckArgs } | { kind: 'help' } | { kind: 'version' };

/** A command line the plugin cannot use; reported as UNKNOWN. */
export class CheckUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckUsageError';
  }
}

/** Default hard deadline: well below Nagios' own service_check_timeout (60 s). */
export const defaultCheckTimeout = 30;

type Kind = 'list' | 'string' | 'seconds' | 'count' | 'percent' | 'flag';
interface Spec {
  key: string;
  kind: Kind;
}

const table: ReadonlyArray<[names: string[], key: string, kind: Kind]> = [
  [['-F', '--wf', '--with-fact'], 'fact', 'list'],
  [['-C', '--wc', '--with-class'], 'cls', 'list'],
  [['-I', '--wi', '--with-identity'], 'identity', 'list'],
  [['-A', '--wa', '--with-agent'], 'agent', 'list'],
  [['-W', '--with'], 'with', 'list'],
  [['-S', '--select'], 'select', 'list'],
  [['-T', '--target'], 'collective', 'string'],
  [['--nats'], 'nats', 'list'],
  [['--config'], 'config', 'string'],
  [['--ddl-dir'], 'ddlDirs', 'list'],
  [['-a', '--args'], 'args', 'string'],
  [['-t', '--timeout'], 'timeout', 'seconds'],
  [['--dt', '--discovery-timeout'], 'discoveryTimeout', 'seconds'],
  [['--expect'], 'expect', 'count'],
  [['--warning-count'], 'warningCount', 'count'],
  [['--warning-percent'], 'warningPercent', 'percent'],
  [['--critical-count'], 'criticalCount', 'count'],
  [['--critical-percent'], 'criticalPercent', 'percent'],
  [['--unknown-count'], 'unknownCount', 'count'],
  [['--unknown-percent'], 'unknownPercent', 'percent'],
  [['--cached'], 'cached', 'flag'],
  [['--issuer'], 'issuers', 'list'],
];
const flags: ReadonlyMap<string, Spec> = new Map(table.flatMap(([names, key, kind]) => names.map((n): [string, Spec] => [n, { key, kind }])));

function number(flag: string, value: string, kind: Kind): number {
  const n = Number(value.replace(/s$/, ''));
  if (value.trim() === '' || !Number.isFinite(n)) throw new CheckUsageError(`${flag} '${value}' is not a number`);
  if (kind === 'seconds' && n <= 0) throw new CheckUsageError(`${flag} must be above 0 seconds, got '${value}'`);
  if (kind === 'count' && (!Number.isInteger(n) || n < 1)) throw new CheckUsageError(`${flag} must be a whole number of hosts of at least 1, got '${value}'`);
  if (kind === 'percent' && (n <= 0 || n > 100)) throw new CheckUsageError(`${flag} must be a percentage above 0 and at most 100, got '${value}'`);
  return n;
}

/** Parse the plugin's arguments (without node and script). Throws CheckUsageError. */
export function parseCheckArgs(argv: readonly string[]): CheckRequest {
  const lists: Record<string, string[]> = { fact: [], cls: [], identity: [], agent: [], with: [], select: [], nats: [], ddlDirs: [], issuers: [] };
  const switches = new Set<string>();
  const values: Record<string, string> = {};
  const numbers: Record<string, number> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-V' || arg === '--version') return { kind: 'version' };
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = flags.get(name);
    if (spec === undefined) throw new CheckUsageError(`unknown option '${name}'`);
    if (spec.kind === 'flag') {
      if (eq !== -1) throw new CheckUsageError(`${name} takes no value`);
      switches.add(spec.key);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new CheckUsageError(`${name} needs a value`);
    if (spec.kind === 'list') (lists[spec.key] ??= []).push(value);
    else if (spec.kind === 'string') values[spec.key] = value;
    else numbers[spec.key] = number(name, value, spec.kind);
  }
  const cached = switches.has('cached');
  const what = cached ? 'check' : 'NRPE command';
  if (positional.length === 0) throw new CheckUsageError(cached ? 'check not specified: give the check name, e.g. check_cohort_nrpe --cached -W role=web load' : 'NRPE command not specified: give the command name, e.g. check_cohort_nrpe -W role=web check_load');
  if (positional.length > 1) throw new CheckUsageError(`give one ${what}, got ${positional.length}: ${positional.join(' ')}`);
  const command = positional[0] ?? '';
  if (cached && !/^[a-z][a-z0-9_-]{0,63}$/.test(command)) throw new CheckUsageError(`'${command}' is not a check name (a lower-case letter, then up to 63 lower-case letters, digits, _ and -)`);
  if (!cached && !/^[a-zA-Z0-9_-]{1,50}$/.test(command)) throw new CheckUsageError(`'${command}' is not an NRPE command name (letters, digits, _ and -, at most 50)`);
  if (cached && values['args'] !== undefined) throw new CheckUsageError('--args does not apply to --cached: the nodes ran the check with their own settings');
  const thresholds: Thresholds = {};
  for (const key of ['warningCount', 'warningPercent', 'criticalCount', 'criticalPercent', 'unknownCount', 'unknownPercent'] as const) {
    const n = numbers[key];
    if (n !== undefined) thresholds[key] = n;
  }
  const list = (k: string): string[] => lists[k] ?? [];
  return {
    kind: 'check',
    args: {
      command,
      args: values['args'],
      filter: { fact: list('fact'), cls: list('cls'), identity: list('identity'), agent: list('agent'), with: list('with'), select: list('select') },
      collective: values['collective'],
      nats: list('nats').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
      config: values['config'],
      ddlDirs: list('ddlDirs'),
      timeout: numbers['timeout'] ?? defaultCheckTimeout,
      discoveryTimeout: numbers['discoveryTimeout'] ?? 2,
      expect: numbers['expect'],
      thresholds,
      cached,
      issuers: list('issuers'),
    },
  };
}
