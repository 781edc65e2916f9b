import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { builtinAgents } from '@cohort/agents';
import { builtinDdlDir, ConfigError, errorMessage, UsageError, version } from '@cohort/core';
import { loadServerConfig } from '@cohort/agents';
import { createLogger } from '@cohort/core/log';
import { loadAgents } from '../loader.js';
import { AgentRegistry } from '../registry.js';
import { EventLoopMonitor } from '../process-metrics.js';
import { Stats } from '../stats.js';
import { simNode } from './facts.js';
import { simSigners } from './signers.js';
import { startSimFleet } from './fleet.js';
import { sliceFleet, spawnChildren } from './launch.js';
import { simNodeInfo, simNodeView } from './node-info.js';
import { checkSimFlags, simDefaults, simSettings, type SimFlags } from './options.js';
import { simMineIssuer } from './mine.js';
import { useFastSigning } from '../signing-backend.js';

const usage = `$0 [options]

Fleet simulator: hosts many virtual Cohort nodes, each with its own NATS
connection, identity and generated facts, running cohortd's request pipeline
(decode, verify, ttl, filter, lookup, validate, dispatch, reply) and
registration. More nodes than --per-process are spread over child processes.
Prints "ready <nodes> <ms> pids=<pid,...>" on stdout once every node answers
and is registered; SIGTERM or SIGINT stops them all (records deleted,
shutdown events sent).`;

async function parse(args: string[]): Promise<SimFlags | undefined> {
  let shown = false;
  const argv = await yargs(args)
    .scriptName('cohort-sim')
    .usage(usage)
    .parserConfiguration({ 'camel-case-expansion': false })
    .options({
      nats: { type: 'string', array: true, default: [], describe: 'NATS server URL; repeat or comma-separate for several (default: nats://127.0.0.1:4222)' },
      count: { alias: 'n', type: 'number', default: simDefaults.count, describe: 'virtual nodes to run' },
      first: { type: 'number', default: simDefaults.first, describe: 'index of the first node (identities <prefix>-00001 ...)' },
      prefix: { type: 'string', default: simDefaults.prefix, describe: 'identity prefix' },
      collective: { type: 'string', array: true, default: [], describe: 'collective to join; repeat for several (default: cohort)' },
      'per-process': { type: 'number', default: simDefaults.perProcess, describe: 'most nodes in one process; more are spread over child processes' },
      concurrency: { type: 'number', default: simDefaults.concurrency, describe: 'nodes connecting at the same time while starting' },
      'plugin-dir': { type: 'string', array: true, default: [], describe: 'directory of custom agents, as for cohortd' },
      registration: { type: 'boolean', default: true, describe: 'publish every node into the registry (--no-registration: do not)' },
      interval: { type: 'number', describe: 'registration heartbeat, seconds (default: as cohortd, 60)' },
      ttl: { type: 'number', describe: 'registry record max age, seconds (default: as cohortd, 180)' },
      'log-level': { type: 'string', choices: ['error', 'warn', 'info', 'debug'], default: simDefaults.logLevel, describe: 'least severe level logged (stderr)' },
      config: { type: 'string', describe: 'a cohortd config file for the shared settings (limits, registration); identity and facts are ignored' },
      services: {
        type: 'boolean',
        default: false,
        describe: 'publish simulated services (by role: http, https, postgres, redis, rabbitmq, node-exporter; tags; every 50th critical, every other 20th warning) and an address 10.x.y.z in every registry record, deterministic from the node index',
      },
      'issuer-key': {
        type: 'string',
        describe: 'issuer private key (cohort keys generate): each process makes a node key, certifies it for every virtual node with this issuer and signs registry records and lifecycle events with it, so clients trusting the issuer can use registry discovery',
      },
    })
    .strict()
    .version(version)
    .help()
    .alias('h', 'help')
    .exitProcess(false)
    .fail((message, err) => {
      throw new UsageError(`${message || errorMessage(err)} (see cohort-sim --help)`);
    })
    .parseAsync(args, {}, (_err, _argv, output) => {
      if (output) {
        shown = true;
        process.stdout.write(`${output}\n`);
      }
    });
  if (shown) return undefined;
  return checkSimFlags({
    nats: argv.nats.map(String),
    count: argv.count,
    first: argv.first,
    prefix: argv.prefix,
    collective: argv.collective.map(String),
    perProcess: argv['per-process'],
    concurrency: argv.concurrency,
    pluginDir: argv['plugin-dir'].map(String),
    registration: argv.registration,
    interval: argv.interval,
    ttl: argv.ttl,
    logLevel: argv['log-level'] as SimFlags['logLevel'],
    config: argv.config,
    issuerKey: argv['issuer-key'],
    services: argv.services,
  });
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (s: NodeJS.Signals) => resolve(s);
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  });
}

/** Run the nodes of `flags` in this process until a stop signal. */
async function runHere(flags: SimFlags, started: number): Promise<number> {
  const stopping = stopSignal();
  const { config } = loadServerConfig({ file: flags.config, env: process.env, flags: simSettings(flags) });
  const log = createLogger({ level: config.logging.level, format: config.logging.format });
  useFastSigning(log);
  const registry = new AgentRegistry();
  // Agents are loaded once; activation checks see the first node.
  const first = simNode(flags.prefix, flags.first);
  const node = simNodeInfo({ spec: first, view: simNodeView(first, []), config, startTime: Math.floor(Date.now() / 1000), registry, stats: new Stats() });
  await loadAgents({ registry, builtin: builtinAgents, builtinDdlDir: builtinDdlDir(), pluginDirs: config.plugin_dirs, node, log: log.child({ ns: 'sim:agents' }) });
  const eventLoop = new EventLoopMonitor(); // samples only while rpcutil daemon_stats is asked
  const shared = { config, registry, log, eventLoopLag: () => eventLoop.lag(), mineIssuer: simMineIssuer(process.env), services: flags.services, ...(flags.issuerKey ? { signerFor: simSigners(flags.issuerKey) } : {}) };
  const fleet = await startSimFleet({ prefix: flags.prefix, first: flags.first, count: flags.count, concurrency: flags.concurrency, shared });
  process.stdout.write(`ready ${fleet.nodes.length} ${Math.round(performance.now() - started)} pids=${process.pid}\n`);
  await stopping;
  await fleet.stop();
  eventLoop.stop();
  process.stdout.write(`stopped ${fleet.nodes.length}\n`);
  return 0;
}

function childArgs(flags: SimFlags, first: number, count: number): string[] {
  const out = ['--first', String(first), '--count', String(count), '--per-process', String(count)];
  out.push('--prefix', flags.prefix, '--concurrency', String(flags.concurrency), '--log-level', flags.logLevel);
  for (const n of flags.nats) out.push('--nats', n);
  for (const c of flags.collective) out.push('--collective', c);
  for (const d of flags.pluginDir) out.push('--plugin-dir', d);
  if (!flags.registration) out.push('--no-registration');
  if (flags.interval !== undefined) out.push('--interval', String(flags.interval));
  if (flags.ttl !== undefined) out.push('--ttl', String(flags.ttl));
  if (flags.config !== undefined) out.push('--config', flags.config);
  if (flags.issuerKey !== undefined) out.push('--issuer-key', flags.issuerKey);
  if (flags.services) out.push('--services');
  return out;
}

/** Spread the fleet over child processes and wait for a stop signal (or a child dying). */
async function runChildren(flags: SimFlags, script: string, started: number): Promise<number> {
  const stopping = stopSignal();
  const slices = sliceFleet(flags.first, flags.count, flags.perProcess);
  const children = spawnChildren(script, slices, (s) => childArgs(flags, s.first, s.count));
  try {
    const first = await Promise.race([children.ready.then(() => 'ready' as const), stopping]);
    if (first !== 'ready') return 0;
    process.stdout.write(`ready ${flags.count} ${Math.round(performance.now() - started)} pids=${children.pids.join(',')}\n`);
    const outcome = await Promise.race([stopping, children.exited]);
    if (typeof outcome === 'number') {
      process.stderr.write(`cohort-sim: a simulator process exited with ${outcome}; stopping the others\n`);
      return 1;
    }
    process.stdout.write(`stopped ${flags.count}\n`);
    return 0;
  } finally {
    await children.stop();
  }
}

/** Run cohort-sim with command-line `args`; resolves to the exit code (0 stopped cleanly, 1 failure, 2 usage). */
export async function simMain(args: string[] = hideBin(process.argv), script: string = process.argv[1] ?? ''): Promise<number> {
  const started = performance.now();
  try {
    // As cohortd's main: the launcher (bin/cohort-sim) moved NODE_EXTRA_CA_CERTS aside; back for
    // child processes, its certificates loaded on the first TLS connection.
    if (process.env['COHORT_NODE_EXTRA_CA_CERTS'] !== undefined) (await import('@cohort/core/deferred-extra-ca')).deferExtraCaCerts();
    const flags = await parse(args);
    if (!flags) return 0;
    return flags.count > flags.perProcess ? await runChildren(flags, script, started) : await runHere(flags, started);
  } catch (err) {
    process.stderr.write(`cohort-sim: ${errorMessage(err)}\n`);
    return err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
  }
}
