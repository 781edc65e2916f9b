import { spawnPlugin } from '../nrpe/spawn-plugin.js';

/** What run_puppet reports. */
export interface PuppetRunResult {
  exitcode: number;
  changed: number;
  failed: number;
  summary: string;
  /** Exit code 0 (no changes) or 2 (changes applied): anything else fails the action. */
  ok: boolean;
}

export interface PuppetRunOptions {
  command: string;
  environment: string;
  noop: boolean;
  tags: string;
  /** Master from puppet.conf (set_master), passed as --server; undefined: Puppet's default. */
  server: string | undefined;
  masterport: string | undefined;
  /** puppet.conf to read (only when it exists), the node's ssl dir and certname (its key and certificate). */
  puppetConf: string | undefined;
  sslDir: string;
  certname: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The puppet command line: `puppet agent --onetime --no-daemonize --detailed-exitcodes ...`. */
export function puppetArgv(o: PuppetRunOptions): string[] {
  return [
    o.command, 'agent', '--onetime', '--no-daemonize', '--detailed-exitcodes', '--summarize', '--color', 'false', '--waitforcert', '0', '--logdest', 'console',
    '--environment', o.environment,
    ...(o.puppetConf ? ['--config', o.puppetConf] : []),
    '--ssldir', o.sslDir, '--certname', o.certname,
    ...(o.server ? ['--server', o.server] : []),
    ...(o.masterport ? ['--masterport', o.masterport] : []),
    ...(o.noop ? ['--noop'] : []),
    ...(o.tags ? ['--tags', o.tags] : []),
  ];
}

/** A count from the `Resources:` block of `--summarize` output (0 when absent). */
export function resourceCount(output: string, name: string): number {
  const block = /^Resources:\n((?:[ \t]+.*\n?)*)/m.exec(output)?.[1] ?? '';
  const m = new RegExp(`^\\s*${name}:\\s*(\\d+)`, 'm').exec(block);
  return m ? Number(m[1]) : 0;
}

function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** A one-line account of a run: Puppet's errors when it failed, else what it applied. */
export function summarize(exitcode: number, output: string, changed: number, failed: number): string {
  const errors = output.split('\n').filter((l) => /^\s*Error:/.test(l)).map((l) => l.trim());
  if (errors.length > 0) return oneLine(`exit code ${exitcode}: ${errors.join(' | ')}`);
  const applied = /Applied catalog in [\d.]+ seconds/.exec(output)?.[0];
  const counts = `${changed} resource(s) changed, ${failed} failed`;
  if (exitcode === 0 || exitcode === 2) return `${counts}${applied ? `; ${applied.toLowerCase()}` : ''}`;
  const last = output.split('\n').map((l) => l.trim()).filter((l) => l !== '').pop() ?? 'no output';
  return oneLine(`exit code ${exitcode}: ${counts}; ${last}`);
}

/** Run Puppet once (never through a shell) and interpret its detailed exit code. Never rejects. */
export async function runPuppet(o: PuppetRunOptions): Promise<PuppetRunResult> {
  const run = await spawnPlugin(puppetArgv(o), { timeoutMs: o.timeoutMs, ...(o.signal ? { signal: o.signal } : {}), maxOutputBytes: 256 * 1024 });
  if (run.error) {
    const why = run.error.code === 'ENOENT' ? `the puppet command '${o.command}' was not found; install puppet-agent or set provisioning.puppet_command` : `cannot run '${o.command}': ${run.error.message}`;
    return { exitcode: -1, changed: 0, failed: 0, summary: why, ok: false };
  }
  const output = `${run.stdout}\n${run.stderr}`;
  const changed = resourceCount(output, 'Changed');
  const failed = resourceCount(output, 'Failed');
  if (run.timedOut || run.aborted || run.code === null) {
    const why = run.timedOut ? `did not finish within ${Math.round(o.timeoutMs / 1000)} s and was killed` : run.aborted ? 'was stopped (request timeout or shutdown)' : `was killed by ${run.signal ?? 'a signal'}`;
    return { exitcode: -1, changed, failed, summary: `puppet agent ${why}`, ok: false };
  }
  const exitcode = run.code;
  return { exitcode, changed, failed, summary: summarize(exitcode, output, changed, failed), ok: exitcode === 0 || exitcode === 2 };
}
