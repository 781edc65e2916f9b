import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import type { Args } from './args.js';
import { commandLoaders, type CliCommand } from './command.js';
import { errorReport, exitCodeForError, exitCodeForOutcome, ExitCode, ParseError, type Outcome } from './exit.js';
import type { CliIo } from './io.js';
import { connectionOptions } from './options.js';
import { enableTiming, markPhase, timingReport } from '@cohort/client/timing';
import { finishRun } from './finish.js';

/** The client package's version (read from its package.json). */
export function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : '0.0.0';
}

const intro =
  'Orchestrate a fleet of cohortd nodes over NATS: find nodes by facts, classes, agents and identity, ' +
  'and call agent actions on them in parallel.';

const epilog =
  'Every fleet command accepts the discovery filters (-F -C -I -A -W -S -T) and --nats/--config; ' +
  'run cohort COMMAND --help for its options and examples.\n' +
  'Environment: COHORT_NATS (NATS URLs), COHORT_CONFIG (client config file), COHORT_KEY (signing key), COHORT_NATS_USER, COHORT_NATS_PASSWORD, COHORT_NATS_TOKEN, NO_COLOR; ' +
  'COHORT_TIMING=1 prints the start-up phases of a run (ms since the process started) to stderr; ' +
  'COHORT_CODE_CACHE=off stops keeping compiled code in $XDG_CACHE_HOME/cohort (~/.cache/cohort), ' +
  'COHORT_SIGNATURE_CACHE=off the signatures that verified there (a run then checks every node certificate and record again).';

/**
 * Run the CLI with `args` (without node and script) and return the exit code.
 * The single exit path: outcomes and errors map to codes in exit.ts only.
 */
export async function main(args: readonly string[], io: CliIo, version = packageVersion()): Promise<number> {
  // The launcher (bin/cohort) moved NODE_EXTRA_CA_CERTS aside, sparing node ~90 ms of start-up:
  // put it back for child processes, and load its certificates on the first TLS connection.
  if (process.env['COHORT_NODE_EXTRA_CA_CERTS'] !== undefined) (await import('@cohort/core/deferred-extra-ca')).deferExtraCaCerts();
  const timing = Boolean(io.env['COHORT_TIMING']);
  if (timing) {
    enableTiming();
    markPhase('CLI code loaded');
  }
  try {
    return await run(args, io, version);
  } finally {
    // What the run left for its end (the signatures it verified, for the next run), after the answer is out.
    const saved = finishRun();
    markPhase('done');
    if (timing) io.stderr.write(`${[timingReport(), ...saved.map((s) => `timing: ${s}`)].join('\n')}\n`);
  }
}

async function run(args: readonly string[], io: CliIo, version: string): Promise<number> {
  let outcome: Outcome | undefined;
  try {
    const names = Object.keys(commandLoaders);
    const wanted = names.filter((n) => args.includes(n));
    // Only the command being run is imported; plain `cohort --help` needs them all for the list.
    const modules = await Promise.all((wanted.length > 0 ? wanted : names).map((n) => commandLoaders[n]!()));
    markPhase('command loaded');
    const parser = yargs([...args])
      .scriptName('cohort')
      .usage(`$0 <command> [options]\n\n${intro}`)
      .parserConfiguration({ 'boolean-negation': false })
      .strict()
      .demandCommand(1, 'Give a command, e.g. cohort ping (cohort --help lists them)')
      .recommendCommands()
      .help()
      .alias('h', 'help')
      .version(version)
      .alias('V', 'version')
      .wrap(Math.min(120, io.stdout.columns ?? 100))
      .exitProcess(false)
      .showHelpOnFail(false)
      .fail((msg: string | undefined, err: Error | undefined) => {
        throw err ?? new ParseError(`${tidyParseMessage(msg ?? 'invalid command line', args)}\nSee: cohort ${wanted[0] ?? ''}${wanted[0] ? ' ' : ''}--help`);
      })
      .epilog(epilog);
    // Connection flags (--nats, --config, keys, TLS) are accepted by every command, as mco does,
    // so one alias or wrapper works for all; commands that do not connect ignore them.
    connectionOptions(parser);
    for (const m of modules) register(parser, m, io, (o) => (outcome = o));
    skipHelpCache(parser);
    if (args.length === 0) {
      io.stderr.write('cohort: give a command, e.g. cohort ping (the commands are listed below)\n\n');
      parser.showHelp((text: string) => io.stderr.write(`${text}\n`));
      return ExitCode.Usage;
    }
    await parser.parseAsync();
    return exitCodeForOutcome(outcome);
  } catch (err) {
    io.stderr.write(`${errorReport(err, { debug: Boolean(io.env['COHORT_DEBUG']) })}\n`);
    return exitCodeForError(err);
  }
}

function register(y: Argv<object>, m: CliCommand, io: CliIo, record: (o: Outcome) => void): void {
  const subs = m.subcommands ?? [];
  y.command({
    command: m.command,
    describe: m.describe,
    builder: (inner: Argv<object>) => {
      const b = m.builder(inner);
      for (const sub of subs) register(b, sub, io, record);
      return subs.length > 0 && m.runsWithoutSubcommand !== true ? b.demandCommand(1, `Give a subcommand: ${subs.map((s) => `${m.command.split(' ')[0]} ${s.command.split(' ')[0]}`).join(', ')}`) : b;
    },
    handler: async (argv: Args) => {
      record(await m.handler(argv, io));
    },
  });
}

/**
 * yargs renders the full help text of a command every time that command runs
 * (to serve a later `showHelp()` from the handler, which we never call). With
 * our option set that costs ~50 ms of string measuring per invocation, so we
 * switch the cache off. Help output itself is unaffected. Internal yargs API:
 * if it is not there, nothing is changed.
 */
function skipHelpCache(parser: Argv<object>): void {
  const internal = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * yargs reports an unknown `--bogus-flag` under both of its spellings
 * (`Unknown arguments: bogus-flag, bogusFlag`); name each once, as typed
 * (`--bogus-flag`; a stray word stays a word).
 */
export function tidyParseMessage(message: string, args: readonly string[]): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return message;
  const names = (m[1] ?? '').split(', ');
  const camel = (n: string) => n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const kebab = new Set(names.filter((n) => n.includes('-')).map(camel));
  const typed = (n: string) => {
    const flag = n.length === 1 ? `-${n}` : `--${n}`;
    return args.some((a) => a === flag || a.startsWith(`${flag}=`) || (n.length === 1 && /^-[A-Za-z]+$/.test(a) && a.includes(n))) ? flag : n;
  };
  const unique = names.filter((n) => !kebab.has(n)).map(typed);
  return `Unknown ${unique.length === 1 ? 'argument' : 'arguments'}: ${unique.join(', ')}`;
}
