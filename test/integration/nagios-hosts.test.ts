// cohort nagios hosts against a real fleet (three cohortd nodes with a signed
// registry) and a real Nagios 4: the generated directory passes `nagios4 -v`;
// --once writes it and a second --once changes nothing; the follower keeps it
// in sync as a node leaves (clean shutdown), comes back with other classes,
// and changes its classes live, running the reload command (a script that
// counts its runs and sends SIGHUP to the running Nagios) exactly once per
// change, and Nagios' own object cache shows each change after the reload.
// Files this tool did not write stay untouched; a forged registry record (a
// key no trusted issuer certified) never becomes a host; with the wrong
// trust (no record verifies) the directory is left alone.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { createSigner, generateKeyPair, registryBucket, registryKey, RegistryTag, sealRegistration, writeKeyPair } from '@cohort/core';
import { after, before, describe, test } from '../harness/skip.js';
import { cohort, cohortBin, cohortdBin, startFleet, startNatsServer, type Fleet, type NatsServer, until as waitUntil } from '../harness/index.js';

const nagiosBin = '/usr/sbin/nagios4';

function missingNagios(): string | undefined {
  if (existsSync(nagiosBin)) return undefined;
  const why = `${nagiosBin} missing: apt-get install nagios4`;
  if (process.env['CI']) throw new Error(why);
  return why;
}

const skip = missingNagios();

let nats: NatsServer;
let fleet: Fleet;
let work: string;
let hostsDir: string;
let nagiosDir: string;
let env: Record<string, string>;
const children: ChildProcess[] = [];

function until(what: string, cond: () => boolean, timeoutMs = 60_000, detail: () => string = () => ''): Promise<void> {
  return waitUntil(what, cond, { timeoutMs, log: detail, logName: 'detail' });
}

/** A minimal Nagios 4 main config: our objects (templates, a command, a contact) plus cfg_dir = the generated directory. */
function writeNagiosConfig(): string {
  mkdirSync(join(nagiosDir, 'checkresults'));
  const main = {
    log_file: join(nagiosDir, 'nagios.log'),
    cfg_file: join(nagiosDir, 'objects.cfg'),
    cfg_dir: hostsDir,
    object_cache_file: join(nagiosDir, 'objects.cache'),
    precached_object_file: join(nagiosDir, 'objects.precache'),
    status_file: join(nagiosDir, 'status.dat'),
    nagios_user: process.getuid?.() === 0 ? 'root' : String(process.getuid?.()),
    nagios_group: process.getgid?.() === 0 ? 'root' : String(process.getgid?.()),
    check_external_commands: 0,
    command_file: join(nagiosDir, 'nagios.cmd'),
    query_socket: join(nagiosDir, 'nagios.qh'),
    lock_file: join(nagiosDir, 'nagios.lock'),
    temp_file: join(nagiosDir, 'nagios.tmp'),
    temp_path: nagiosDir,
    check_result_path: join(nagiosDir, 'checkresults'),
    state_retention_file: join(nagiosDir, 'retention.dat'),
    retain_state_information: 0,
    execute_host_checks: 0,
    execute_service_checks: 0,
    enable_notifications: 0,
    enable_event_handlers: 0,
    use_syslog: 0,
    log_rotation_method: 'n',
  };
  const file = join(nagiosDir, 'nagios.cfg');
  writeFileSync(file, Object.entries(main).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const week = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => `  ${d} 00:00-24:00`).join('\n');
  writeFileSync(
    join(nagiosDir, 'objects.cfg'),
    [
      `define timeperiod {\n  timeperiod_name 24x7\n  alias Always\n${week}\n}`,
      'define command {\n  command_name do_nothing\n  command_line /bin/true\n}',
      'define contact {\n  contact_name nobody\n  host_notifications_enabled 0\n  service_notifications_enabled 0\n  host_notification_period 24x7\n  service_notification_period 24x7\n  host_notification_options n\n  service_notification_options n\n  host_notification_commands do_nothing\n  service_notification_commands do_nothing\n}',
      // The operator's templates: the default one and one class template (--template-classes web).
      'define host {\n  name generic-host\n  register 0\n  check_command do_nothing\n  max_check_attempts 1\n  check_period 24x7\n  active_checks_enabled 0\n  contacts nobody\n  notification_interval 0\n  notification_period 24x7\n}',
      'define host {\n  name web\n  register 0\n  notes a web server\n}',
      'define service {\n  hostgroup_name base\n  service_description ping\n  check_command do_nothing\n  max_check_attempts 1\n  check_interval 3600\n  retry_interval 3600\n  check_period 24x7\n  active_checks_enabled 0\n  contacts nobody\n  notification_interval 0\n  notification_period 24x7\n}',
    ].join('\n') + '\n',
  );
  return file;
}

function verifyNagios(): void {
  const v = spawnSync(nagiosBin, ['-v', join(nagiosDir, 'nagios.cfg')], { encoding: 'utf8' });
  assert.equal(v.status, 0, `nagios4 -v rejected the config:\n${v.stdout}${v.stderr}\n${listing()}`);
  assert.match(v.stdout, /Total Errors:\s+0/);
}

function listing(): string {
  return readdirSync(hostsDir)
    .sort()
    .map((f) => `--- ${f}\n${readFileSync(join(hostsDir, f), 'utf8')}`)
    .join('\n');
}

function hostFile(identity: string): string | undefined {
  const f = join(hostsDir, `${identity}.cfg`);
  return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
}

function field(content: string | undefined, name: string): string | undefined {
  return content === undefined ? undefined : new RegExp(`^\\s+${name}\\s+(.*)$`, 'm').exec(content)?.[1];
}

const hostArgs = ['--template-by-class', '--template-classes', 'web', '--address-fact', 'ip'];

before(async () => {
  if (skip) return;
  nats = await startNatsServer({ jetstream: true });
  fleet = await startFleet({
    natsUrl: nats.url,
    monitorPort: nats.monitorPort,
    registry: true,
    nodes: [
      { identity: 'web1', facts: { ip: '127.0.0.11', role: 'web' }, classes: ['base', 'web'] },
      { identity: 'db1', facts: { ip: '127.0.0.12', role: 'db' }, classes: ['base', 'db'] },
      { identity: 'app1', facts: { ip: '127.0.0.13', role: 'app' }, classes: ['base'] },
    ],
  });
  env = { ...fleet.clientEnv };
  work = mkdtempSync(join(tmpdir(), 'cohort-nagios-hosts-'));
  hostsDir = join(work, 'hosts');
  nagiosDir = join(work, 'nagios');
  mkdirSync(hostsDir);
  mkdirSync(nagiosDir);
  writeNagiosConfig();
  // A ghost in the registry: a record signed by a key no trusted issuer certified.
  const nc = await connect({ servers: nats.url });
  try {
    const kv = await nc.jetstream().views.kv(registryBucket('cohort'), { bindOnly: true });
    const now = Date.now();
    const ghost = { protocol: RegistryTag.Registration, identity: 'ghost', collectives: ['cohort'], facts: {}, classes: ['base'], agents: ['rpcutil'], version: '0.1.0', started_at: now, time: now, interval: 3600 } as const;
    await kv.put(registryKey('ghost'), sealRegistration({ ...ghost, collectives: [...ghost.collectives], classes: [...ghost.classes], agents: [...ghost.agents] }, createSigner(generateKeyPair().privateKey, 'ghost')));
  } finally {
    await nc.close();
  }
  // An operator's own file in the directory: never touched.
  writeFileSync(join(hostsDir, 'local.cfg'), '# the operator keeps notes here\n');
});

after(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      // SIGTERM first: Nagios ends its worker processes only when it exits cleanly.
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  }
  await fleet?.stop();
  await nats?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('cohort nagios hosts', { skip }, () => {
  test('--once writes one host per verified node plus the hostgroups; Nagios 4 accepts it; a second run changes nothing', async () => {
    const r = await cohort(['nagios', 'hosts', '--dir', hostsDir, ...hostArgs, '--once'], { nats: nats.url, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /ignored 1 registry record\(s\) that did not verify/);
    assert.equal(r.stdout, `3 host(s) in ${hostsDir}: 4 file(s) written, 0 removed\n`);
    assert.deepEqual(readdirSync(hostsDir).sort(), ['_cohort-hostgroups.cfg', 'app1.cfg', 'db1.cfg', 'local.cfg', 'web1.cfg']);
    const web = hostFile('web1');
    assert.equal(field(web, 'host_name'), 'web1');
    assert.equal(field(web, 'use'), 'web,generic-host');
    assert.equal(field(web, 'hostgroups'), 'base,web');
    assert.equal(field(hostFile('db1'), 'use'), 'generic-host');
    assert.equal(field(hostFile('db1'), 'hostgroups'), 'base,db');
    // The address: the record's own when the node publishes one, else the --address-fact.
    for (const [id, ip] of [['web1', '127.0.0.11'], ['db1', '127.0.0.12'], ['app1', '127.0.0.13']] as const) {
      const content = hostFile(id)!;
      if (/address from fact ip/.test(content)) assert.equal(field(content, 'address'), ip);
      else assert.match(content, /address from the registry record/);
    }
    assert.equal(readFileSync(join(hostsDir, 'local.cfg'), 'utf8'), '# the operator keeps notes here\n');
    verifyNagios();

    const again = await cohort(['nagios', 'hosts', '--dir', hostsDir, ...hostArgs, '--once', '--json', '--reload-command', '/bin/false'], { nats: nats.url, env });
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout) as { hosts: number; written: string[]; removed: string[]; reload: unknown };
    assert.deepEqual([report.hosts, report.written, report.removed, report.reload], [3, [], [], null], 'nothing changed, so the (failing) reload command did not run');
  });

  test('without trusted node keys it refuses to run; with the wrong issuer (no record verifies) it leaves the directory alone', async () => {
    const before = listing();
    const plain = join(work, 'plain.yaml');
    writeFileSync(plain, 'collective: cohort\n');
    const none = await cohort(['nagios', 'hosts', '--dir', hostsDir, '--once'], { nats: nats.url, env: { COHORT_CONFIG: plain } });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /registry records are signed by their nodes.*needs trusted node keys/);
    const other = writeKeyPair(join(work, 'other-issuer'), generateKeyPair(), { overwrite: true }).publicFile;
    const wrong = await cohort(['nagios', 'hosts', '--dir', hostsDir, '--once', '--issuer', other], { nats: nats.url, env: { COHORT_CONFIG: plain } });
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, /the directory was left as it is: none of the 4 registry record\(s\) verified .*check the trusted issuers/);
    assert.equal(listing(), before);
  });

  test('following the fleet: a node leaves, comes back with other classes, another changes classes; one reload each, seen by Nagios', { timeout: 240_000 }, async () => {
    // A running Nagios, reloaded by the script.
    let nagiosLog = '';
    const nagios = spawn(nagiosBin, [join(nagiosDir, 'nagios.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(nagios);
    nagios.stdout?.on('data', (d: Buffer) => (nagiosLog += d));
    nagios.stderr?.on('data', (d: Buffer) => (nagiosLog += d));
    const cache = join(nagiosDir, 'objects.cache');
    const cached = (): string => (existsSync(cache) ? readFileSync(cache, 'utf8') : '');
    const nagiosHas = (id: string): boolean => new RegExp(`host_name\\s+${id}\\n`).test(cached());
    await until('Nagios to start and cache its objects', () => nagiosHas('web1') && nagiosHas('app1'), 60_000, () => nagiosLog);

    const counter = join(work, 'reloads.log');
    const script = join(work, 'reload.sh');
    writeFileSync(script, `#!/bin/sh\necho run >> '${counter}'\nrm -f '${cache}'\nkill -HUP ${nagios.pid}\n`);
    chmodSync(script, 0o755);
    const reloads = (): number => (existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').filter(Boolean).length : 0);

    let out = '';
    const follower = spawn(process.execPath, [cohortBin, 'nagios', 'hosts', '--dir', hostsDir, ...hostArgs, '--debounce', '0.3', '--reload-command', `${script}`], {
      env: { ...process.env, NO_COLOR: '1', COHORT_NATS: nats.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(follower);
    follower.stdout.on('data', (d: Buffer) => (out += d));
    follower.stderr.on('data', (d: Buffer) => (out += d));
    const detail = (): string => `${out}\n${listing()}\n${nagiosLog}`;
    await until('the follower to start', () => /following the registry/.test(out), 60_000, detail);
    assert.match(out, /3 host\(s\) in /);
    assert.equal(reloads(), 0, 'the directory was already in sync: no reload');

    // A node leaves (clean shutdown: a signed deregistration).
    await fleet.kill('app1', 'SIGTERM');
    await until('app1.cfg to go', () => hostFile('app1') === undefined, 60_000, detail);
    await until('the reload after app1 left', () => reloads() === 1, 30_000, detail);
    await until('Nagios to drop app1', () => cached() !== '' && !nagiosHas('app1') && nagiosHas('web1'), 60_000, detail);
    verifyNagios();

    // It comes back, now a web server too.
    const app1 = fleet.nodes.get('app1')!;
    writeFileSync(join(fleet.dir, 'app1', 'classes.txt'), 'base\nweb\n');
    const again = spawn(process.execPath, [cohortdBin, '--config', app1.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(again);
    await until('app1.cfg to come back as a web server', () => field(hostFile('app1'), 'use') === 'web,generic-host', 90_000, detail);
    assert.equal(field(hostFile('app1'), 'hostgroups'), 'base,web');
    await until('the reload after app1 came back', () => reloads() === 2, 30_000, detail);
    await until('Nagios to load app1 again', () => nagiosHas('app1'), 60_000, detail);
    verifyNagios();

    // db1 changes its classes live (classes file edited, SIGHUP: the node republishes its record).
    const before = hostFile('db1');
    writeFileSync(join(fleet.dir, 'db1', 'classes.txt'), 'base\ndb\nweb\n');
    fleet.nodes.get('db1')!.process.kill('SIGHUP');
    await until('db1.cfg to change', () => hostFile('db1') !== before && field(hostFile('db1'), 'use') === 'web,generic-host', 60_000, detail);
    await until('the reload after db1 changed', () => reloads() === 3, 30_000, detail);
    verifyNagios();
    assert.equal(readFileSync(join(hostsDir, 'local.cfg'), 'utf8'), '# the operator keeps notes here\n');

    const exited = new Promise<number | null>((r) => follower.once('exit', (code) => r(code)));
    follower.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.match(out, /SIGTERM: stopped after 3 change\(s\), 3 reload\(s\)/);
    assert.equal(reloads(), 3, 'exactly one reload per change');
  });
});
