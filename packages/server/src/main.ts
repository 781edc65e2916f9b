import { ConfigError, errorMessage, logMaxSizeBytes, UsageError, version, type ServerConfigSources } from '@cohort/core';
import { loadServerConfig, type LoadedServerConfig, type ServerConfig } from '@cohort/agents';
import { createLogger, type RootLogger } from '@cohort/core/log';
import { flagsToSettings, helpEpilogue, type DaemonFlags } from './options.js';
import { configForRestart, fallbackConfig, isRestart, restartTrigger } from './provisioning/restart.js';
import { yargsOptions } from './flags.js';
import { quickFlags } from './quick-flags.js';
import { startServer, type RunningServer } from './server.js';
import { useFastSigning } from './signing-backend.js';

/** Exit codes: 0 clean shutdown, 1 runtime failure, 2 bad configuration or usage. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;

async function parseFlags(args: string[]): Promise<DaemonFlags | undefined> {
  // yargs only for --help, --version and mistakes: it would stay loaded for the daemon's life.
  const quick = quickFlags(args);
  if (quick) return quick;
  const { default: yargs } = await import('yargs');
  let shown = false;
  const flags = await yargs(args)
    .scriptName('cohortd')
    .parserConfiguration({ 'camel-case-expansion': false, 'boolean-negation': false })
    .usage('$0 [options]\n\nThe Cohort node daemon: answers RPC requests for its agents on the NATS bus.')
    .options(yargsOptions())
    .strict()
    .version(version)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(120, process.stdout.columns || 100))
    .epilogue(helpEpilogue())
    .exitProcess(false)
    .fail((message, err) => {
      throw new UsageError(`${message || errorMessage(err)} (see cohortd --help)`);
    })
    .showHelpOnFail(false)
    .parseAsync(args, {}, (_err, _argv, output) => {
      if (output) {
        shown = true;
        process.stdout.write(`${output}\n`);
      }
    });
  return shown ? undefined : (flags as DaemonFlags);
}

function waitForSignal(signals: readonly NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, handler);
      resolve(signal);
    };
    for (const s of signals) process.on(s, handler);
  });
}

/** The daemon's logger: stderr, or the log file rotated by size (winston's File transport, loaded only then). */
function loggerFor(config: ServerConfig): RootLogger {
  const { level, format, file, max_size, max_files } = config.logging;
  return createLogger({ level, format, ...(file ? { file, maxSize: logMaxSizeBytes(max_size) ?? 0, maxFiles: max_files } : {}) });
}

async function run(flags: DaemonFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const sources = { file: flags.config, env, flags: flagsToSettings(flags) };
  const loaded: LoadedServerConfig = loadServerConfig(sources);
  let log = loggerFor(loaded.config);
  useFastSigning(log, env);
  try {
    return await runTurns(sources, loaded, log, (next) => (log = next));
  } finally {
    // Every line in the log file before the process ends (a no-op on stderr).
    await log.close();
  }
}

async function runTurns(sources: ServerConfigSources, first: LoadedServerConfig, firstLog: RootLogger, setLog: (log: RootLogger) => void): Promise<number> {
  let loaded = first;
  let good = loaded; // the last configuration the daemon ran in: what a failed restart falls back to
  let log = firstLog;
  const stopSignal = waitForSignal(['SIGTERM', 'SIGINT']);
  // Each turn runs the daemon once; `provision restart` ends a turn and the next one re-reads the config file.
  for (let turn = 0, fellBack = false; ; turn++) {
    const trigger = restartTrigger();
    let started: RunningServer | undefined;
    try {
      // Until connected, a stop signal simply ends the process (there is nothing to finish).
      started = await Promise.race([startServer({ config: loaded.config, configFile: loaded.file, log, onRestart: trigger.request }), stopSignal.then(() => undefined)]);
    } catch (err) {
      if (turn === 0 || fellBack) throw err;
      log.error(`restart: cannot start with the new configuration: ${errorMessage(err)}; falling back`);
      loaded = fallbackConfig(sources, good, log);
      fellBack = true;
      continue;
    }
    if (!started) {
      log.info('stopped before connecting');
      return ExitCode.Ok;
    }
    const server: RunningServer = started;
    good = loaded;
    fellBack = false;
    const onHup = () => void server.reload('SIGHUP');
    process.on('SIGHUP', onHup);
    const outcome = await Promise.race([stopSignal, server.failed, trigger.requested]);
    process.off('SIGHUP', onHup);
    if (outcome instanceof Error) return ExitCode.Failure;
    if (isRestart(outcome)) {
      await server.stop(`restarting: ${outcome.reason}`);
      ({ loaded, fellBack } = await configForRestart(sources, good, log));
      if (JSON.stringify(loaded.config.logging) !== JSON.stringify(good.config.logging)) {
        const old = log;
        setLog((log = loggerFor(loaded.config)));
        void old.close();
      }
      continue;
    }
    // A second signal during shutdown means "now".
    void waitForSignal(['SIGTERM', 'SIGINT']).then((s) => {
      log.warn(`${s} again: exiting without finishing in-flight requests`);
      process.exit(ExitCode.Failure);
    });
    await server.stop(`received ${outcome}`);
    return ExitCode.Ok;
  }
}

/** Run cohortd with command-line `args`; resolves to the exit code. */
export async function main(args: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    // The launcher (bin/cohortd) moved NODE_EXTRA_CA_CERTS aside, sparing node ~90 ms and ~2 MB:
    // put it back for child processes, and load its certificates on the first TLS connection.
    if (process.env['COHORT_NODE_EXTRA_CA_CERTS'] !== undefined) (await import('@cohort/core/deferred-extra-ca')).deferExtraCaCerts();
    // Subcommands (enroll, enroll-token): their own module, loaded only when asked for.
    if (args[0] === 'enroll' || args[0] === 'enroll-token') {
      const { enrollMain } = await import('./enroll/index.js');
      return await enrollMain(args[0], args.slice(1));
    }
    const flags = await parseFlags(args);
    if (!flags) return ExitCode.Ok;
    return await run(flags, env);
  } catch (err) {
    process.stderr.write(`cohortd: ${errorMessage(err)}\n`);
    return err instanceof ConfigError || err instanceof UsageError ? ExitCode.Usage : ExitCode.Failure;
  }
}
