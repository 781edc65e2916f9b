import { errorMessage } from '@cohort/core';
import type { Bus } from '@cohort/client';
import { evaluateCheck } from './evaluate.js';
import { formatCheck, formatUnknown } from './format.js';
import { checkHelp } from './help.js';
import { CheckUsageError, parseCheckArgs, type CheckArgs } from './options.js';
import { queryFleet } from './query.js';
import { readCachedFleet } from './cached.js';
import { NagiosState, type NagiosCode } from '@cohort/core';

/** What the plugin needs from its process. */
export interface CheckIo {
  write(text: string): void;
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** When the process started (ms since epoch): the deadline counts from here. Default: now. */
  startedAt?: number;
  now?: () => number;
  version?: string;
  /** Use this bus instead of connecting to NATS (tests). */
  bus?: Bus;
}

interface Outcome {
  text: string;
  code: NagiosCode;
}

function filterText(args: CheckArgs): string {
  const f = args.filter;
  const parts = [
    ...f.fact.map((v) => `-F ${v}`),
    ...f.cls.map((v) => `-C ${v}`),
    ...f.identity.map((v) => `-I ${v}`),
    ...f.agent.map((v) => `-A ${v}`),
    ...f.with.map((v) => `-W '${v}'`),
    ...f.select.map((v) => `-S '${v}'`),
  ];
  return parts.length > 0 ? parts.join(' ') : 'no filter: every node';
}

async function check(args: CheckArgs, io: CheckIo, startedAt: number, now: () => number, stage: (s: string) => void): Promise<Outcome> {
  if (args.cached) return cachedCheck(args, io, startedAt, now, stage);
  const { hosts, stats } = await queryFleet(args, {
    env: io.env,
    homedir: io.homedir,
    deadline: startedAt + args.timeout * 1000,
    now,
    stage,
    ...(io.bus ? { bus: io.bus } : {}),
  });
  if (stats.discovered === 0 && args.expect === undefined) {
    return { text: formatUnknown(args.command, `no nodes with the nrpe agent matched the discovery filter (${filterText(args)})`), code: NagiosState.UNKNOWN };
  }
  const evaluation = evaluateCheck(hosts, { expect: args.expect, thresholds: args.thresholds });
  return { text: formatCheck(args.command, hosts, evaluation, now() - startedAt, args.expect), code: evaluation.state };
}

/** `--cached`: the same verdict and output over the nodes' cached check states; no request to the fleet. */
async function cachedCheck(args: CheckArgs, io: CheckIo, startedAt: number, now: () => number, stage: (s: string) => void): Promise<Outcome> {
  const { hosts } = await readCachedFleet(args, {
    env: io.env,
    homedir: io.homedir,
    now,
    stage,
    connectTimeoutMs: Math.max(50, Math.min(2000, startedAt + args.timeout * 1000 - now() - 300)),
    ...(io.bus ? { bus: io.bus } : {}),
  });
  if (hosts.length === 0 && args.expect === undefined) {
    return { text: formatUnknown(args.command, `no node holds a state of check ${args.command} matching the filter (${filterText(args)})`), code: NagiosState.UNKNOWN };
  }
  const evaluation = evaluateCheck(hosts, { expect: args.expect, thresholds: args.thresholds });
  return { text: formatCheck(args.command, hosts, evaluation, now() - startedAt, args.expect), code: evaluation.state };
}

/**
 * Run the check_cohort_nrpe plugin: print its output and return the Nagios
 * exit code. Never takes longer than `--timeout` (counted from
 * `io.startedAt`): when the deadline passes, whatever is still pending, it
 * prints UNKNOWN naming what it was waiting for and returns 3. Never throws.
 */
export async function checkMain(argv: readonly string[], io: CheckIo): Promise<NagiosCode> {
  const now = io.now ?? Date.now;
  const startedAt = io.startedAt ?? now();
  let command: string | undefined;
  try {
    // The launcher (bin/check_cohort_nrpe) moved NODE_EXTRA_CA_CERTS aside, sparing node ~90 ms per check:
    // put it back for child processes, and load its certificates on the first TLS connection.
    if (process.env['COHORT_NODE_EXTRA_CA_CERTS'] !== undefined) (await import('@cohort/core/deferred-extra-ca')).deferExtraCaCerts();
    const request = parseCheckArgs(argv);
    if (request.kind !== 'check') {
      io.write(request.kind === 'help' ? checkHelp : `check_cohort_nrpe ${io.version ?? ''}\n`);
      return NagiosState.UNKNOWN;
    }
    const args = request.args;
    command = args.command;
    let stage = 'starting';
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Outcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ text: formatUnknown(args.command, `no result within the ${args.timeout} s deadline (--timeout) while ${stage}`), code: NagiosState.UNKNOWN }),
        Math.max(0, startedAt + args.timeout * 1000 - now()),
      );
    });
    const work = check(args, io, startedAt, now, (s) => (stage = s)).catch(
      (err: unknown): Outcome => ({ text: formatUnknown(args.command, errorMessage(err)), code: NagiosState.UNKNOWN }),
    );
    try {
      const outcome = await Promise.race([work, deadline]);
      io.write(outcome.text);
      return outcome.code;
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    const usage = err instanceof CheckUsageError ? '\nUsage: check_cohort_nrpe [filters] [--nats URL] [options] COMMAND (see --help)' : '';
    io.write(`${formatUnknown(command, errorMessage(err)).trimEnd()}${usage}\n`);
    return NagiosState.UNKNOWN;
  }
}
