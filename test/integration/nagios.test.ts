// End to end: a real Nagios 4 (Debian nagios4, our own instance with a temp
// config, run in the foreground and killed afterwards) schedules
// check_cohort_nrpe as service checks against a real fleet, and records the
// right state, plugin output, long output and perfdata in its status file.
// The fleet has a registry and the check a client config trusting its issuer,
// so discovery is the signed registry: every running node, however loaded
// the machine (broadcast discovery's quiet window could miss some).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBin, missingPlugins, startNrpeFleet, type NrpeFleet } from './nrpe-fleet.js';

const nagiosBin = '/usr/sbin/nagios4';

function missingNagios(): string | undefined {
  const plugins = missingPlugins();
  if (plugins) return plugins;
  if (existsSync(nagiosBin)) return undefined;
  const why = `${nagiosBin} missing: apt-get install nagios4`;
  if (process.env['CI']) throw new Error(why);
  return why;
}

const skip = missingNagios();

/** Services to check: description -> check_cohort_nrpe arguments after --nats. */
const services: Record<string, string> = {
  web_ok: '-F role=web check_state',
  one_warning: '-I ok1 -I warn1 check_state',
  // A discovery timeout far too short for broadcast: the fleet is found through the registry, whatever the load.
  whole_fleet: '-C nrpe --dt 0.001 check_state',
  nothing: '-F role=nothing check_state',
  quiet_thresholds: '-I ok1 -I ok2 -I crit1 --critical-percent 50 --warning-count 2 check_state',
};

let env: NrpeFleet;
let dir: string;
let nagios: ChildProcess | undefined;
let nagiosLog = '';

function nagiosConfig(natsUrl: string, clientConfig: string): void {
  mkdirSync(join(dir, 'checkresults'));
  const main = {
    log_file: join(dir, 'nagios.log'),
    cfg_file: join(dir, 'objects.cfg'),
    object_cache_file: join(dir, 'objects.cache'),
    precached_object_file: join(dir, 'objects.precache'),
    status_file: join(dir, 'status.dat'),
    status_update_interval: 1,
    // Nagios runs as root (CI containers) only when told to stay root; otherwise as the current user (numeric ids are accepted).
    nagios_user: process.getuid?.() === 0 ? 'root' : String(process.getuid?.()),
    nagios_group: process.getgid?.() === 0 ? 'root' : String(process.getgid?.()),
    check_external_commands: 1,
    command_file: join(dir, 'nagios.cmd'),
    query_socket: join(dir, 'nagios.qh'),
    lock_file: join(dir, 'nagios.lock'),
    temp_file: join(dir, 'nagios.tmp'),
    temp_path: dir,
    check_result_path: join(dir, 'checkresults'),
    state_retention_file: join(dir, 'retention.dat'),
    retain_state_information: 0,
    use_retained_scheduling_info: 0,
    // Intervals in seconds, checks spread over at most one interval.
    interval_length: 1,
    max_service_check_spread: 1,
    max_host_check_spread: 1,
    check_result_reaper_frequency: 1,
    service_check_timeout: 30,
    enable_notifications: 0,
    enable_event_handlers: 0,
    enable_flap_detection: 0,
    use_syslog: 0,
    log_rotation_method: 'n',
    illegal_macro_output_chars: '`~$&|\'"<>',
  };
  writeFileSync(join(dir, 'nagios.cfg'), Object.entries(main).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const week = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => `  ${d} 00:00-24:00`).join('\n');
  const objects = [
    `define timeperiod {\n  timeperiod_name 24x7\n  alias Always\n${week}\n}`,
    'define command {\n  command_name do_nothing\n  command_line /bin/true\n}',
    // What the README tells operators to copy (a client config trusting the fleet's issuer), with node's path spelled out.
    `define command {\n  command_name check_cohort_nrpe\n  command_line ${process.execPath} ${checkBin} --config ${clientConfig} --nats $ARG1$ --timeout 20 $ARG2$\n}`,
    'define contact {\n  contact_name nobody\n  host_notifications_enabled 0\n  service_notifications_enabled 0\n  host_notification_period 24x7\n  service_notification_period 24x7\n  host_notification_options n\n  service_notification_options n\n  host_notification_commands do_nothing\n  service_notification_commands do_nothing\n}',
    'define host {\n  host_name cohort\n  address 127.0.0.1\n  check_command do_nothing\n  max_check_attempts 1\n  check_period 24x7\n  active_checks_enabled 0\n  contacts nobody\n  notification_period 24x7\n}',
    ...Object.entries(services).map(
      ([name, args]) =>
        `define service {\n  host_name cohort\n  service_description ${name}\n  check_command check_cohort_nrpe!${natsUrl}!${args}\n  max_check_attempts 1\n  check_interval 3600\n  retry_interval 3600\n  check_period 24x7\n  contacts nobody\n  notification_interval 0\n  notification_period 24x7\n}`,
    ),
  ];
  writeFileSync(join(dir, 'objects.cfg'), objects.join('\n') + '\n');
}

before(async () => {
  if (skip) return;
  env = await startNrpeFleet({ registry: true });
  assert.ok(env.clientConfig, 'a registry fleet comes with a client config trusting its issuer');
  dir = mkdtempSync(join(tmpdir(), 'cohort-nagios-'));
  nagiosConfig(env.nats.url, env.clientConfig);
  const verify = spawnSync(nagiosBin, ['-v', join(dir, 'nagios.cfg')], { encoding: 'utf8' });
  assert.equal(verify.status, 0, `nagios4 -v rejected the config:\n${verify.stdout}${verify.stderr}`);
  // Foreground (no -d): it is our child, and killing it ends its workers.
  nagios = spawn(nagiosBin, [join(dir, 'nagios.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
  nagios.stdout?.on('data', (d: Buffer) => (nagiosLog += d));
  nagios.stderr?.on('data', (d: Buffer) => (nagiosLog += d));
});

after(async () => {
  if (nagios && nagios.exitCode === null && nagios.signalCode === null) {
    const exited = new Promise((r) => nagios?.once('exit', r));
    nagios.kill('SIGTERM');
    const t = setTimeout(() => nagios?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Write one external command to Nagios' command pipe (waits until Nagios reads it). */
async function externalCommand(line: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!existsSync(join(dir, 'nagios.cmd'))) {
    if (Date.now() > deadline || nagios?.exitCode !== null) throw new Error(`Nagios did not create its command pipe:\n${nagiosLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const fifo = await open(join(dir, 'nagios.cmd'), 'a');
  try {
    await fifo.write(`[${Math.floor(Date.now() / 1000)}] ${line}\n`);
  } finally {
    await fifo.close();
  }
}

type ServiceStatus = Record<string, string>;

/** The servicestatus blocks of status.dat by service_description. */
function serviceStatus(): Map<string, ServiceStatus> {
  const out = new Map<string, ServiceStatus>();
  let text: string;
  try {
    text = readFileSync(join(dir, 'status.dat'), 'utf8');
  } catch {
    return out;
  }
  for (const block of text.matchAll(/servicestatus \{\n([\s\S]*?)\n\s*\}/g)) {
    const fields: ServiceStatus = {};
    for (const line of (block[1] ?? '').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) fields[line.slice(0, eq).trim()] = line.slice(eq + 1);
    }
    if (fields['service_description']) out.set(fields['service_description'], fields);
  }
  return out;
}

test('Nagios 4 runs check_cohort_nrpe and records state, output and perfdata', { skip, timeout: 90_000 }, async () => {
  const now = Math.floor(Date.now() / 1000);
  for (const name of Object.keys(services)) await externalCommand(`SCHEDULE_FORCED_SVC_CHECK;cohort;${name};${now}`);
  const deadline = Date.now() + 60_000;
  let status = serviceStatus();
  const checked = () => [...status.values()].filter((s) => s['has_been_checked'] === '1' && Number(s['last_check']) >= now).length;
  while (checked() < Object.keys(services).length) {
    if (Date.now() > deadline) throw new Error(`Nagios did not check every service in time: ${JSON.stringify([...status], null, 1)}\n${nagiosLog}`);
    if (nagios?.exitCode !== null) throw new Error(`Nagios exited:\n${nagiosLog}`);
    await new Promise((r) => setTimeout(r, 250));
    status = serviceStatus();
  }
  const web = status.get('web_ok');
  assert.equal(web?.['current_state'], '0', JSON.stringify(web));
  assert.equal(web?.['plugin_output'], 'check_state: OK: 2 WARNING: 0 CRITICAL: 0 UNKNOWN: 0');
  assert.match(web?.['performance_data'] ?? '', /^total=2 ok=2 warning=0 critical=0 unknown=0 checktime=\d+\.\d{3}s$/);
  assert.equal(web?.['long_plugin_output'], '');

  const warning = status.get('one_warning');
  assert.equal(warning?.['current_state'], '1', JSON.stringify(warning));
  assert.equal(warning?.['plugin_output'], 'check_state: OK: 1 WARNING: 1 CRITICAL: 0 UNKNOWN: 0');
  assert.equal(warning?.['long_plugin_output'], 'WARNING: warn1: WARNING: load is high');

  const fleet = status.get('whole_fleet');
  assert.equal(fleet?.['current_state'], '2', JSON.stringify(fleet));
  assert.equal(fleet?.['plugin_output'], 'check_state: OK: 2 WARNING: 1 CRITICAL: 1 UNKNOWN: 2');
  assert.match(fleet?.['performance_data'] ?? '', /^total=6 ok=2 warning=1 critical=1 unknown=2 checktime=[\d.]+s$/);
  // status.dat escapes the newlines of long output as \n.
  assert.equal(
    fleet?.['long_plugin_output'],
    [
      'CRITICAL: crit1: CRITICAL: disk is full',
      'WARNING: warn1: WARNING: load is high',
      'UNKNOWN: hang1: plugin timed out after 2 s (check_state)',
      'UNKNOWN: missing1: No such command: check_state',
    ].join('\\n'),
  );

  const nothing = status.get('nothing');
  assert.equal(nothing?.['current_state'], '3', JSON.stringify(nothing));
  assert.equal(nothing?.['plugin_output'], 'check_state: UNKNOWN: no nodes with the nrpe agent matched the discovery filter (-F role=nothing)');

  const quiet = status.get('quiet_thresholds');
  assert.equal(quiet?.['current_state'], '0', JSON.stringify(quiet));
  assert.equal(quiet?.['plugin_output'], 'check_state: OK: 2 WARNING: 0 CRITICAL: 1 UNKNOWN: 0');
});
