// The nrpe agent on a fleet of real cohortd processes, each with its own NRPE
// configuration and real Nagios plugins (monitoring-plugins-basic), in mixed
// states: OK, WARNING, CRITICAL, a hanging plugin, a missing command, a node
// that is down. Drives `cohort rpc nrpe runcommand`, `cohort nrpe` and the
// check_cohort_nrpe Nagios plugin.
import { after, before, describe, test } from '../harness/skip.js'; // groups skipped test by test
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { cohort, expectedRpcExit, until } from '../harness/index.js';
import { missingPlugins, runCheck, startNrpeFleet, type NrpeFleet } from './nrpe-fleet.js';

const skip = missingPlugins();
let env: NrpeFleet;
let nats: string;

interface JsonReply {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}
interface JsonResult {
  replies: JsonReply[];
  stats: { discovered: number; responded: number; ok: number; failed: number; no_response: string[] };
  summaries: Array<{ function: string; counts?: Array<[string, number]> }>;
}

before(async () => {
  if (skip) return;
  env = await startNrpeFleet();
  nats = env.nats.url;
});
after(async () => {
  await env?.stop();
});

async function rpcJson(args: string[]): Promise<JsonResult> {
  const r = await cohort(['rpc', 'nrpe', 'runcommand', ...args, '--json'], { nats });
  const res = JSON.parse(r.stdout) as JsonResult & { stats: { discovered: number; responded: number; failed: number } };
  assert.equal(r.code, expectedRpcExit(res.stats), `exit ${r.code} for these replies: ${r.stderr}`);
  return res;
}

const byHost = (res: JsonResult) => Object.fromEntries(res.replies.map((r) => [r.sender, r]));

/** Processes whose command line contains `needle` (read from /proc). */
function processesMatching(needle: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').replace(/\0/g, ' ');
        return cmd.includes(needle) ? [`${pid}: ${cmd}`] : [];
      } catch {
        return [];
      }
    });
}

describe('nrpe agent', { skip }, () => {
  test('cohort rpc nrpe runcommand shows only the non-OK hosts and a Summary of Exit Code', async () => {
    const r = await cohort(['rpc', 'nrpe', 'runcommand', 'command=check_state'], { nats });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    for (const id of ['warn1', 'crit1', 'hang1', 'missing1']) assert.match(r.stdout, new RegExp(`^${id}\\b`, 'm'), r.stdout);
    for (const id of ['ok1', 'ok2', 'down1']) assert.doesNotMatch(r.stdout, new RegExp(`^${id}\\b`, 'm'), r.stdout);
    assert.match(r.stdout, /WARNING: load is high/);
    assert.match(r.stdout, /CRITICAL: disk is full/);
    assert.match(r.stdout, /plugin timed out after 2 s/);
    assert.match(r.stdout, /No such command: check_state/);
    assert.match(r.stdout, /Summary of Exit Code:\n\n\s+OK : 2\n\s+WARNING : 1\n\s+CRITICAL : 1\n\s+UNKNOWN : 2\n/);
    assert.match(r.stdout, /Finished processing 6 \/ 6 hosts/);
  });

  test('a hanging plugin is UNKNOWN after command_timeout and its whole process group is killed', async () => {
    const res = await rpcJson(['command=check_state', '-I', 'hang1']);
    const hang = byHost(res)['hang1'];
    assert.equal(hang?.statuscode, 1);
    assert.equal(hang?.statusmsg, 'UNKNOWN');
    assert.equal(hang?.data['exitcode'], 3);
    assert.match(String(hang?.data['output']), /^plugin timed out after 2 s/);
    // The group is killed with the UNKNOWN reply; wait for the processes to be gone (reaped), not a fixed time.
    await until('the plugin and the process it started to be gone', () => processesMatching('sleep 31').length === 0, { timeoutMs: 10_000, everyMs: 50 });
  });

  test('replies carry exitcode, output, perfdata and command; a missing command is exitcode 3', async () => {
    const res = await rpcJson(['command=check_state']);
    const hosts = byHost(res);
    assert.deepEqual(Object.keys(hosts).sort(), ['crit1', 'hang1', 'missing1', 'ok1', 'ok2', 'warn1']);
    assert.deepEqual(
      Object.fromEntries(Object.entries(hosts).map(([h, r]) => [h, [r.statuscode, r.data['exitcode']]])),
      { ok1: [0, 0], ok2: [0, 0], warn1: [1, 1], crit1: [1, 2], hang1: [1, 3], missing1: [1, 3] },
    );
    assert.equal(hosts['ok1']?.data['output'], 'OK: all fine');
    assert.equal(hosts['ok1']?.data['command'], 'check_state');
    assert.equal(hosts['missing1']?.data['output'], 'No such command: check_state');
    assert.equal(hosts['crit1']?.statusmsg, 'CRITICAL');
    assert.deepEqual(res.summaries[0]?.counts, [['OK', 2], ['WARNING', 1], ['CRITICAL', 1], ['UNKNOWN', 2]]);
  });

  test('real check_load and check_file_age from include and include_dir files', async () => {
    const load = await rpcJson(['command=check_load', '-I', 'ok1']);
    const l = byHost(load)['ok1'];
    assert.equal(l?.data['exitcode'], 0, JSON.stringify(l));
    assert.match(String(l?.data['output']), /load average/i);
    assert.match(String(l?.data['perfdata']), /load1=[\d.]+;1000(\.0+)?;2000(\.0+)?;0;/);
    const age = byHost(await rpcJson(['command=check_age']));
    assert.equal(age['ok1']?.data['exitcode'], 0, JSON.stringify(age['ok1']));
    assert.equal(age['crit1']?.data['exitcode'], 2, JSON.stringify(age['crit1']));
    assert.match(String(age['crit1']?.data['output']), /CRITICAL/);
    assert.match(String(age['crit1']?.data['perfdata']), /age=\d+s;5400;7200/);
    const ignored = byHost(await rpcJson(['command=not_a_cfg', '-I', 'ok1']));
    assert.equal(ignored['ok1']?.data['output'], 'No such command: not_a_cfg', 'only *.cfg files are read from include_dir');
  });

  test('$ARGn$ arguments are data, never shell: no injection, split only where unquoted', async () => {
    // Short: the DDL allows 50 characters of args.
    const marker = `/tmp/p${process.pid}`;
    rmSync(marker, { force: true });
    const injection = `;touch ${marker}&$(touch ${marker})`;
    const res = byHost(await rpcJson(['command=check_args', `args=1!${injection}`, '-I', 'ok1']));
    assert.equal(res['ok1']?.data['exitcode'], 1, JSON.stringify(res['ok1']));
    assert.equal(res['ok1']?.data['output'], `WARNING: ${injection}`);
    assert.equal(existsSync(marker), false, 'the argument ran no command');
    const split = byHost(await rpcJson(['command=check_split', 'args=2 split words', '-I', 'ok1']));
    assert.equal(split['ok1']?.data['exitcode'], 2);
    assert.equal(split['ok1']?.data['output'], 'CRITICAL: split');
  });

  test('arguments are refused where not allowed, and with a command line that needs a shell', async () => {
    const denied = byHost(await rpcJson(['command=check_args', 'args=0!hi', '-I', 'ok2']));
    assert.equal(denied['ok2']?.data['exitcode'], 3);
    assert.match(String(denied['ok2']?.data['output']), /arguments are not allowed on this node: set dont_blame_nrpe=1/);
    const shell = byHost(await rpcJson(['command=check_shell_args', 'args=0', '-I', 'ok1']));
    assert.equal(shell['ok1']?.data['exitcode'], 3);
    assert.match(String(shell['ok1']?.data['output']), /needs a shell \(it uses '\|' \(pipe\)\) and takes \$ARGn\$ arguments/);
  });

  test('a command line with shell features and no arguments runs through /bin/sh; odd exit codes are UNKNOWN', async () => {
    const pipe = byHost(await rpcJson(['command=check_pipe', '-I', 'ok2']));
    assert.equal(pipe['ok2']?.data['exitcode'], 0);
    assert.equal(pipe['ok2']?.data['output'], 'OK - piped through a shell');
    assert.equal(pipe['ok2']?.data['perfdata'], 'piped=1');
    const odd = byHost(await rpcJson(['command=check_exit7', '-I', 'ok2']));
    assert.equal(odd['ok2']?.data['exitcode'], 3);
    assert.match(String(odd['ok2']?.data['output']), /plugin exited with code 7.*: weird/);
  });

  test('runallcommands runs every defined command', async () => {
    const r = await cohort(['rpc', 'nrpe', 'runallcommands', '-I', 'warn1', '--json'], { nats });
    const res = JSON.parse(r.stdout) as JsonResult;
    const commands = res.replies[0]?.data['commands'] as Record<string, { exitcode: number }>;
    assert.deepEqual(Object.keys(commands).sort(), ['check_age', 'check_args', 'check_exit7', 'check_load', 'check_pipe', 'check_shell_args', 'check_split', 'check_state']);
    assert.equal(commands['check_state']?.exitcode, 1);
    assert.equal(commands['check_load']?.exitcode, 0);
    assert.equal(res.replies[0]?.statuscode, 1);
  });

  test('cohort nrpe CHECK [filters] is the shortcut; -v shows every host', async () => {
    const r = await cohort(['nrpe', 'check_state', '-W', 'role=db'], { nats });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^warn1\b/m);
    assert.match(r.stdout, /^crit1\b/m);
    assert.match(r.stdout, /\s+OK : 0\n\s+WARNING : 1\n\s+CRITICAL : 1\n\s+UNKNOWN : 0/);
    const web = await cohort(['nrpe', 'check_state', '-F', 'role=web'], { nats });
    assert.equal(web.code, 0, web.stderr);
    assert.doesNotMatch(web.stdout, /^ok1\b/m);
    assert.match(web.stdout, /\s+OK : 2\n/);
    const verbose = await cohort(['nrpe', 'check_state', '-F', 'role=web', '-v'], { nats });
    assert.match(verbose.stdout, /^ok1\b/m);
    assert.match(verbose.stdout, /^ok2\b/m);
  });
});

describe('check_cohort_nrpe', { skip }, () => {
  const firstLine = (s: string) => s.split('\n')[0] ?? '';

  test('whole fleet: CRITICAL with counts, perfdata and the non-OK hosts listed', async () => {
    const r = await runCheck(['--nats', nats, 'check_state']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(firstLine(r.stdout), /^check_state: OK: 2 WARNING: 1 CRITICAL: 1 UNKNOWN: 2\|total=6 ok=2 warning=1 critical=1 unknown=2 checktime=\d+\.\d{3}s$/);
    const lines = r.stdout.trimEnd().split('\n').slice(1);
    assert.deepEqual(lines, [
      'CRITICAL: crit1: CRITICAL: disk is full',
      'WARNING: warn1: WARNING: load is high',
      'UNKNOWN: hang1: plugin timed out after 2 s (check_state)',
      'UNKNOWN: missing1: No such command: check_state',
    ]);
  });

  test('exit codes: OK, WARNING, and UNKNOWN above WARNING', async () => {
    const ok = await runCheck(['--nats', nats, '-F', 'role=web', 'check_state']);
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(firstLine(ok.stdout), /^check_state: OK: 2 WARNING: 0 CRITICAL: 0 UNKNOWN: 0\|total=2 /);
    assert.equal(ok.stdout.trimEnd().split('\n').length, 1);
    const warn = await runCheck(['--nats', nats, '-I', 'ok1', '-I', 'warn1', 'check_state']);
    assert.equal(warn.code, 1, warn.stdout);
    const unknown = await runCheck(['--nats', nats, '-I', 'warn1', '-I', 'missing1', 'check_state']);
    assert.equal(unknown.code, 3, unknown.stdout);
    const age = await runCheck(['--nats', nats, '-C', 'nrpe', 'check_age']);
    assert.equal(age.code, 2, age.stdout);
    assert.match(firstLine(age.stdout), /OK: 5 WARNING: 0 CRITICAL: 1 UNKNOWN: 0/);
  });

  test('a node that is down counts as UNKNOWN when addressed or expected', async () => {
    const direct = await runCheck(['--nats', nats, '-I', 'ok1', '-I', 'down1', '--timeout', '4', 'check_state']);
    assert.equal(direct.code, 3, direct.stdout);
    assert.match(firstLine(direct.stdout), /OK: 1 WARNING: 0 CRITICAL: 0 UNKNOWN: 1\|total=2/);
    assert.match(direct.stdout, /^UNKNOWN: down1: no reply within [\d.]+ s$/m);
    assert.ok(direct.ms < 6000, `took ${direct.ms} ms`);
    const expected = await runCheck(['--nats', nats, '-F', 'role=web', '--expect', '3', 'check_state']);
    assert.equal(expected.code, 3, expected.stdout);
    assert.match(firstLine(expected.stdout), /OK: 2 WARNING: 0 CRITICAL: 0 UNKNOWN: 1\|total=3/);
    assert.match(expected.stdout, /UNKNOWN: 1 more node\(s\) expected \(--expect 3\) did not answer/);
    const enough = await runCheck(['--nats', nats, '-F', 'role=web', '--expect', '2', 'check_state']);
    assert.equal(enough.code, 0, enough.stdout);
  });

  test('thresholds: one CRITICAL host of three pages only when the threshold says so', async () => {
    const hosts = ['-I', 'ok1', '-I', 'ok2', '-I', 'crit1'];
    const plain = await runCheck(['--nats', nats, ...hosts, 'check_state']);
    assert.equal(plain.code, 2, plain.stdout);
    const percent = await runCheck(['--nats', nats, ...hosts, '--critical-percent', '50', 'check_state']);
    assert.equal(percent.code, 1, percent.stdout);
    assert.match(percent.stdout, /^CRITICAL: crit1: /m, 'the host is still listed');
    const quiet = await runCheck(['--nats', nats, ...hosts, '--critical-percent', '50', '--warning-count', '2', 'check_state']);
    assert.equal(quiet.code, 0, quiet.stdout);
    const count = await runCheck(['--nats', nats, ...hosts, '--critical-count', '1', 'check_state']);
    assert.equal(count.code, 2, count.stdout);
    const unknowns = await runCheck(['--nats', nats, '-I', 'ok1', '-I', 'missing1', '--unknown-percent', '60', 'check_state']);
    assert.equal(unknowns.code, 0, unknowns.stdout);
  });

  test('nothing matched is UNKNOWN saying so', async () => {
    const r = await runCheck(['--nats', nats, '-F', 'role=nothing', 'check_state']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'check_state: UNKNOWN: no nodes with the nrpe agent matched the discovery filter (-F role=nothing)\n');
  });

  test('bus unreachable is UNKNOWN naming the URL', async () => {
    const r = await runCheck(['--nats', 'nats://127.0.0.1:1', 'check_state']);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /^check_state: UNKNOWN: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: connection refused\n$/);
  });

  test('the deadline holds when the bus hangs', async () => {
    // Accepts connections and answers nothing at all.
    const sockets: Array<import('node:net').Socket> = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const r = await runCheck(['--nats', `nats://127.0.0.1:${port}`, '--timeout', '1.5', 'check_state']);
      assert.equal(r.code, 3, r.stdout);
      assert.match(r.stdout, /^check_state: UNKNOWN: /);
      assert.match(r.stdout, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.ok(r.ms < 2500, `took ${r.ms} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  test('usage errors are UNKNOWN (exit 3), not a usage exit code', async () => {
    const none = await runCheck(['--nats', nats]);
    assert.equal(none.code, 3);
    assert.match(none.stdout, /^UNKNOWN: NRPE command not specified/);
    const bad = await runCheck(['--nats', nats, '--critical-percent', '150', 'check_state']);
    assert.equal(bad.code, 3);
    assert.match(bad.stdout, /check_state: UNKNOWN: --critical-percent must be a percentage|UNKNOWN: --critical-percent/);
  });
});
