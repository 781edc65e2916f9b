// A fleet of real cohortd processes, each with its own NRPE configuration
// (nrpe.cfg with include/include_dir, plus an nrpe.d directory) using the
// Nagios plugins from Debian's monitoring-plugins-basic. Shared by
// nrpe.test.ts and nagios.test.ts.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startFleet, startNatsServer, type Fleet, type NatsServer } from '../harness/index.js';

export const pluginDir = '/usr/lib/nagios/plugins';
export const checkBin = join(repoRoot, 'packages/nagios/bin/check_cohort_nrpe.js');

/** Why these tests cannot run here, or undefined. In CI a missing tool is a failure, not a skip. */
export function missingPlugins(): string | undefined {
  const need = ['check_dummy', 'check_load', 'check_file_age'].map((p) => join(pluginDir, p));
  const missing = need.filter((p) => !existsSync(p));
  if (missing.length === 0) return undefined;
  const why = `Nagios plugins missing (${missing.join(', ')}): apt-get install monitoring-plugins-basic`;
  if (process.env['CI']) throw new Error(why);
  return why;
}

const dummy = (state: number, text: string) => `${pluginDir}/check_dummy ${state} "${text}"`;

/** Per-node NRPE command lines for `check_state`; absent = not defined on that node. */
export const stateCommands: Record<string, string | undefined> = {
  ok1: dummy(0, 'all fine'),
  ok2: dummy(0, 'fine too'),
  warn1: dummy(1, 'load is high'),
  crit1: dummy(2, 'disk is full'),
  // Sleeps past command_timeout=2, through a shell that starts a second process in the group.
  hang1: `/bin/sh -c "sleep 313 & exec sleep 314"`,
  missing1: undefined,
  down1: dummy(0, 'never asked'),
};
export const identities = Object.keys(stateCommands);
export const roles: Record<string, string> = { ok1: 'web', ok2: 'web', warn1: 'db', crit1: 'db', hang1: 'cache', missing1: 'cache', down1: 'web' };

export interface NrpeFleet {
  nats: NatsServer;
  fleet: Fleet;
  dir: string;
  /** With `registry`: a client config trusting the fleet's issuer, so discovery uses the signed registry. */
  clientConfig: string | undefined;
  stop(): Promise<void>;
}

function writeNode(dir: string, identity: string): void {
  const node = join(dir, identity);
  mkdirSync(join(node, 'nrpe.d'), { recursive: true });
  mkdirSync(join(node, 'includes', 'deeper'), { recursive: true });
  const ageFile = join(node, 'age-probe');
  writeFileSync(ageFile, 'x');
  // crit1's probe file is 3 hours old: check_file_age -c 7200 says CRITICAL.
  if (identity === 'crit1') utimesSync(ageFile, new Date(Date.now() - 3 * 3600_000), new Date(Date.now() - 3 * 3600_000));
  const lines = [
    '# NRPE configuration for the test node',
    'server_port=5666',
    'command_timeout=2',
    identity === 'ok1' ? 'dont_blame_nrpe=1' : 'dont_blame_nrpe=0',
    'include=extra.cfg',
    'include_dir=includes',
  ];
  writeFileSync(join(node, 'nrpe.cfg'), `${lines.join('\n')}\n`);
  writeFileSync(join(node, 'extra.cfg'), `command[check_load]=${pluginDir}/check_load -w 1000,1000,1000 -c 2000,2000,2000\n`);
  writeFileSync(join(node, 'includes', 'deeper', 'age.cfg'), `command[check_age]=${pluginDir}/check_file_age -f ${ageFile} -w 5400 -c 7200\n`);
  writeFileSync(join(node, 'includes', 'ignored.txt'), 'command[not_a_cfg]=/bin/true\n');
  const state = stateCommands[identity];
  writeFileSync(
    join(node, 'nrpe.d', 'checks.cfg'),
    [
      state ? `command[check_state]=${state}` : '# no check_state on this node',
      `command[check_args]=${pluginDir}/check_dummy $ARG1$ "$ARG2$"`,
      `command[check_split]=${pluginDir}/check_dummy $ARG1$`,
      `command[check_shell_args]=${pluginDir}/check_dummy $ARG1$ | cat`,
      `command[check_pipe]=echo "OK - piped through a shell|piped=1" | cat`,
      `command[check_exit7]=/bin/sh -c "echo weird; exit 7"`,
    ].join('\n') + '\n',
  );
}

/**
 * Start nats-server and the seven nodes; down1 is killed once everything is up.
 * `registry`: JetStream and a registry every node is in before this returns
 * (discovery through it sees exactly the running nodes, however busy the
 * machine); down1 is then stopped with SIGTERM, so it leaves the registry
 * (its signed tombstone) rather than being addressed and missing.
 */
export async function startNrpeFleet(options: { registry?: boolean } = {}): Promise<NrpeFleet> {
  const registry = options.registry === true;
  const nats = await startNatsServer(registry ? { jetstream: true } : {});
  const dir = mkdtempSync(join(tmpdir(), 'cohort-nrpe-'));
  try {
    for (const id of identities) writeNode(dir, id);
    const fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir,
      pluginDirs: [],
      nodes: identities.map((identity) => ({ identity, facts: { role: roles[identity] }, classes: ['nrpe', roles[identity] ?? 'none'] })),
      // Relative paths in a config file resolve against its directory: each node gets its own NRPE files.
      config: { nrpe: { conf_file: 'nrpe.cfg', conf_dir: 'nrpe.d' } },
      registry,
    });
    await fleet.kill('down1', registry ? 'SIGTERM' : 'SIGKILL');
    return {
      nats,
      fleet,
      dir,
      clientConfig: registry ? fleet.clientEnv['COHORT_CONFIG'] : undefined,
      async stop() {
        await fleet.stop();
        await nats.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface CheckResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the real check_cohort_nrpe plugin. */
export function runCheck(args: string[], env: Record<string, string> = {}, killAfterMs = 60_000): Promise<CheckResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [checkBin, ...args], { env: { ...process.env, COHORT_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: Date.now() - started });
    });
  });
}
