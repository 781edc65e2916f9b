// puppetral on a real cohortd with real Puppet: do then find on file, host,
// mailalias and exec (all inside a temp dir; host and mailalias via target=),
// search, noop, the guard rails, Puppet's own errors, text output, a helper
// that is killed and comes back, and a node without Puppet. The parameter
// guard rails are shown against the security review's attacks (issue 12,
// finding 2): service provider=base start=<cmd>, a mail alias with a newline
// in its name written to an arbitrary file, and search mailalias reading a
// shadow-format file: each is refused and leaves no trace.
// Never touches /etc/hosts or other system state: Puppet's vardir, confdir and
// codedir point into the temp dir too.
import { after, before, describe, test } from '../harness/skip.js'; // groups skipped test by test
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helperScript, locatePuppet, PuppetHelper, settingsArgs } from '@cohort/agents';
import { cohort, startFleet, startNatsServer, type Fleet, type NatsServer } from '../harness/index.js';

interface JsonReply {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}

const puppetInstalled = existsSync('/usr/bin/puppet') || existsSync('/opt/puppetlabs/bin/puppet');
const skip = !puppetInstalled && !process.env['CI'] ? 'Puppet is not installed (apt-get install puppet-agent); skipping the puppetral tests' : false;

const identity = 'puppet1';
let nats: NatsServer;
let fleet: Fleet;
let sandbox: string;
let hosts: string;
let aliases: string;
let shadow: string;

before(async () => {
  if (skip) return;
  sandbox = mkdtempSync(join(tmpdir(), 'cohort-puppetral-'));
  hosts = join(sandbox, 'hosts');
  aliases = join(sandbox, 'aliases');
  shadow = join(sandbox, 'shadow');
  writeFileSync(shadow, 'root:$6$cohortsalt$notarealhashbutlooksliketheone:19000:0:99999:7:::\n');
  // Something else already in the target, which search must report too.
  writeFileSync(hosts, '10.0.0.1\tcohort-existing\n');
  nats = await startNatsServer();
  fleet = await startFleet({
    natsUrl: nats.url,
    monitorPort: nats.monitorPort,
    nodes: [{ identity, facts: { role: 'puppet' }, classes: [] }],
    config: {
      puppetral: {
        manage: ['host', 'mailalias', 'file', 'exec', 'group', 'service'],
        read_only: ['group'],
        targets: [hosts, aliases],
        settings: { vardir: join(sandbox, 'var'), confdir: join(sandbox, 'etc'), codedir: join(sandbox, 'code') },
      },
    },
  });
});

after(async () => {
  await fleet?.stop();
  await nats?.stop();
  if (sandbox) rmSync(sandbox, { recursive: true, force: true });
});

/** `cohort rpc puppetral ...` on the Puppet node; returns its one reply and the exit code. */
async function puppetral(args: string[]): Promise<{ code: number; reply: JsonReply }> {
  const r = await cohort(['rpc', 'puppetral', ...args, '-I', identity, '--json'], { nats: nats.url, timeoutMs: 90_000 });
  assert.ok(r.stdout.trim() !== '', `no JSON from cohort rpc puppetral ${args.join(' ')} (exit ${r.code}): ${r.stderr}`);
  const replies = (JSON.parse(r.stdout) as { replies: JsonReply[] }).replies;
  assert.equal(replies.length, 1, r.stdout);
  return { code: r.code, reply: replies[0]! };
}

async function ok(args: string[]): Promise<Record<string, unknown>> {
  const { code, reply } = await puppetral(args);
  assert.equal(reply.statuscode, 0, `${args.join(' ')}: ${reply.statusmsg}`);
  assert.equal(code, 0);
  return reply.data;
}

/** Process ids of the node's puppetral helpers (children of its cohortd running puppetral-helper.rb). */
function helperPids(): number[] {
  const parent = fleet.nodes.get(identity)?.process.pid;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('puppetral-helper.rb')) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe('puppetral on a real node', { skip }, () => {
  test('host: do creates the entry in the target file, find reads it back, noop changes nothing', async () => {
    const created = await ok(['do', 'type=host', 'title=cohort-web', 'ip=10.1.2.3', `target=${hosts}`]);
    assert.equal(created['status'], 'changed');
    assert.deepEqual(created['changes'], ['ensure: created']);
    assert.match(readFileSync(hosts, 'utf8'), /^10\.1\.2\.3\tcohort-web$/m);

    const found = await ok(['find', 'type=host', 'title=cohort-web', `target=${hosts}`]);
    assert.equal(found['ensure'], 'present');
    assert.deepEqual(found['parameters'], { name: 'cohort-web', ensure: 'present', ip: '10.1.2.3', target: hosts });

    const before = readFileSync(hosts, 'utf8');
    const dry = await ok(['do', 'type=host', 'title=cohort-web', 'ip=10.9.9.9', `target=${hosts}`, 'noop=true']);
    assert.equal(dry['status'], 'noop');
    const events = dry['events'] as Array<Record<string, unknown>>;
    assert.deepEqual(events.map((e) => [e['property'], e['previous_value'], e['desired_value'], e['status']]), [['ip', '10.1.2.3', '10.9.9.9', 'noop']]);
    assert.equal(readFileSync(hosts, 'utf8'), before, 'noop must not touch the file');

    const again = await ok(['do', 'type=host', 'title=cohort-web', 'ip=10.1.2.3', `target=${hosts}`]);
    assert.equal(again['status'], 'unchanged');
    assert.deepEqual(again['changes'], []);
  });

  test('search lists the instances in the given target only', async () => {
    const found = await ok(['search', 'type=host', `target=${hosts}`]);
    assert.equal(found['count'], 2);
    const resources = found['resources'] as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(resources), ['cohort-existing', 'cohort-web']);
    assert.equal(resources['cohort-existing']?.['ip'], '10.0.0.1');
    const filtered = await ok(['search', 'type=host', `target=${hosts}`, 'ip=10.0.0.1']);
    assert.deepEqual(Object.keys(filtered['resources'] as object), ['cohort-existing']);
  });

  test('mailalias: do then find, with the seed syntax (name= instead of title=)', async () => {
    const created = await ok(['do', 'type=mailalias', 'name=cohort-foo', 'recipient=rip@devco.net', `target=${aliases}`]);
    assert.equal(created['status'], 'changed');
    assert.match(readFileSync(aliases, 'utf8'), /^cohort-foo: rip@devco\.net$/m);
    const found = await ok(['find', 'type=mailalias', 'title=cohort-foo', `target=${aliases}`]);
    assert.equal(found['ensure'], 'present');
    assert.deepEqual((found['parameters'] as Record<string, unknown>)['recipient'], ['rip@devco.net']);
  });

  test('file: do writes the content, find reports it', async () => {
    const path = join(sandbox, 'motd');
    const created = await ok(['do', 'type=file', `title=${path}`, 'ensure=file', 'content=hello from cohort\n', 'mode=0640']);
    assert.equal(created['status'], 'changed');
    assert.equal(readFileSync(path, 'utf8'), 'hello from cohort\n');
    const found = await ok(['find', 'type=file', `title=${path}`]);
    assert.equal(found['ensure'], 'file');
    assert.equal((found['parameters'] as Record<string, unknown>)['mode'], '0640');
    const missing = await ok(['find', 'type=file', `title=${join(sandbox, 'nothing-here')}`]);
    assert.equal(missing['ensure'], 'absent');
  });

  test('exec with creates: runs once, then is unchanged; noop runs nothing', async () => {
    const stamp = join(sandbox, 'date');
    const command = `/bin/date > ${stamp}`;
    const dry = await ok(['do', 'type=exec', `name=${command}`, 'timeout=5', `creates=${stamp}`, 'noop=true']);
    assert.equal(dry['status'], 'noop');
    assert.equal(existsSync(stamp), false, 'noop must not run the command');
    const ran = await ok(['do', 'type=exec', `name=${command}`, 'timeout=5', `creates=${stamp}`]);
    assert.equal(ran['status'], 'changed');
    assert.deepEqual(ran['changes'], ['returns: executed successfully']);
    assert.ok(existsSync(stamp));
    const again = await ok(['do', 'type=exec', `title=${command}`, `creates=${stamp}`]);
    assert.equal(again['status'], 'unchanged');
  });

  test('guard rails: a type outside puppetral.manage, or in puppetral.read_only, is refused with status 1', async () => {
    const user = await puppetral(['do', 'type=user', 'name=cohort-nobody', 'ensure=present']);
    assert.equal(user.reply.statuscode, 1);
    assert.equal(user.code, 1);
    assert.match(user.reply.statusmsg, /may not change 'user'.*add 'user' to puppetral\.manage/);
    const group = await puppetral(['do', 'type=group', 'name=cohort-nobody', 'ensure=present']);
    assert.equal(group.reply.statuscode, 1);
    assert.match(group.reply.statusmsg, /may only read 'group'.*puppetral\.read_only/);
    const read = await puppetral(['find', 'type=group', 'title=root']);
    assert.equal(read.reply.statuscode, 0, read.reply.statusmsg);
    assert.equal(read.reply.data['ensure'], 'present');
    const cron = await puppetral(['find', 'type=cron', 'title=cohort']);
    assert.match(cron.reply.statusmsg, /may not read 'cron'.*puppetral\.read_only/);
  });

  test("invalid parameters get Puppet's own error with status 4; a failed apply is status 1", async () => {
    const unknown = await puppetral(['do', 'type=exec', 'title=/bin/true', 'bogus=1']);
    assert.equal(unknown.reply.statuscode, 4);
    assert.match(unknown.reply.statusmsg, /no parameter named 'bogus'/);
    const unlisted = await puppetral(['do', 'type=host', 'title=cohort-bad', 'bogus=1', `target=${hosts}`]);
    assert.equal(unlisted.reply.statuscode, 1);
    assert.match(unlisted.reply.statusmsg, /does not allow parameter 'bogus' for host resources \(allowed: /);
    const badIp = await puppetral(['do', 'type=host', 'title=cohort-bad', 'ip=not-an-ip', `target=${hosts}`]);
    assert.equal(badIp.reply.statuscode, 4);
    assert.match(badIp.reply.statusmsg, /Invalid IP address "not-an-ip"/);
    const failed = await puppetral(['do', 'type=exec', 'title=/bin/false']);
    assert.equal(failed.reply.statuscode, 1);
    assert.match(failed.reply.statusmsg, /returned 1 instead of one of \[0\]/);
    const missing = await puppetral(['find', 'type=host']);
    assert.equal(missing.reply.statuscode, 3, 'the client refuses nothing here: the node asks for a title');
    assert.match(missing.reply.statusmsg, /title=/);
  });

  test('attack: service provider=base start=<cmd> is refused and the command never runs', async () => {
    const pwned = join(sandbox, 'pwned-by-service');
    const attack = await puppetral(['do', 'type=service', 'title=cohort-evil', 'ensure=running', 'provider=base', `start=/usr/bin/touch ${pwned}`, `status=/bin/false`]);
    assert.equal(attack.reply.statuscode, 1);
    assert.equal(attack.code, 1);
    assert.match(attack.reply.statusmsg, /refuses parameter 'provider' for service resources/);
    // Without provider= the command parameters are refused by name too.
    const start = await puppetral(['do', 'type=service', 'title=cohort-evil', 'ensure=running', `start=/usr/bin/touch ${pwned}`]);
    assert.equal(start.reply.statuscode, 1);
    assert.match(start.reply.statusmsg, /refuses parameter 'start'.*command Puppet runs as root/);
    const binary = await puppetral(['do', 'type=service', 'title=cohort-evil', 'ensure=running', `binary=/usr/bin/touch`]);
    assert.match(binary.reply.statusmsg, /refuses parameter 'binary'/);
    assert.equal(existsSync(pwned), false, 'the start command ran');

    // The attack is real: the same resource handed straight to Puppet (the
    // helper, without the agent's guard rails) runs the command as the node's user.
    const found = locatePuppet({ puppet: 'puppet', ruby: null, pathEnv: process.env['PATH'] });
    assert.ok(typeof found !== 'string', String(found));
    const settings = settingsArgs({ vardir: join(sandbox, 'var-direct'), confdir: join(sandbox, 'etc'), codedir: join(sandbox, 'code') });
    const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
    const direct = new PuppetHelper({ launch: () => ({ command: found.ruby, args: [helperScript, ...settings] }), log: quiet });
    try {
      const unguarded = join(sandbox, 'pwned-unguarded');
      const parameters = { ensure: 'running', provider: 'base', start: `/usr/bin/touch ${unguarded}`, status: '/bin/false' };
      await direct.call({ op: 'apply', type: 'service', title: 'cohort-evil', parameters }, new AbortController().signal);
      assert.equal(existsSync(unguarded), true, 'without the guard rails Puppet runs start= (the review reproduced this)');
    } finally {
      await direct.dispose();
    }
  });

  test('attack: a mail alias with a newline in its name, written to a file outside puppetral.targets, is refused', async () => {
    const crond = join(sandbox, 'cron.d');
    const cronFile = join(crond, 'cohort-evil');
    const line = `* * * * * root /usr/bin/touch ${join(sandbox, 'pwned-by-cron')}`;
    const newline = await puppetral(['do', 'type=mailalias', `name=x\n${line}\n#`, 'recipient=root', `target=${cronFile}`]);
    assert.equal(newline.reply.statuscode, 1);
    assert.match(newline.reply.statusmsg, /refuses parameter 'name'.*U\+000A, a newline/);
    const elsewhere = await puppetral(['do', 'type=mailalias', 'name=cohort-x', 'recipient=root', `target=${cronFile}`]);
    assert.equal(elsewhere.reply.statuscode, 1);
    assert.match(elsewhere.reply.statusmsg, /refuses target='.*cron\.d\/cohort-evil'.*puppetral\.targets/);
    const pipe = await puppetral(['do', 'type=mailalias', 'name=cohort-x', `recipient=|/usr/bin/touch ${join(sandbox, 'pwned-by-mail')}`, `target=${aliases}`]);
    assert.equal(pipe.reply.statuscode, 1);
    assert.match(pipe.reply.statusmsg, /refuses parameter 'recipient'/);
    assert.equal(existsSync(cronFile), false, 'a file was written outside puppetral.targets');
    assert.doesNotMatch(readFileSync(aliases, 'utf8'), /cohort-x/);
  });

  test('attack: search mailalias target=<shadow-format file> is refused and returns nothing of it', async () => {
    const r = await cohort(['rpc', 'puppetral', 'search', 'type=mailalias', `target=${shadow}`, '-I', identity, '--json'], { nats: nats.url, timeoutMs: 90_000 });
    const reply = (JSON.parse(r.stdout) as { replies: JsonReply[] }).replies[0]!;
    assert.equal(reply.statuscode, 1);
    assert.match(reply.statusmsg, /refuses target='.*shadow'.*puppetral\.targets/);
    assert.doesNotMatch(r.stdout, /cohortsalt/);
    const find = await puppetral(['find', 'type=mailalias', 'title=root', `target=${shadow}`]);
    assert.equal(find.reply.statuscode, 1);
    assert.doesNotMatch(JSON.stringify(find.reply), /cohortsalt/);
  });

  test('text output of find reads as ensure plus the resource', async () => {
    const r = await cohort(['rpc', 'puppetral', 'find', 'type=host', 'title=cohort-web', `target=${hosts}`, '-I', identity], { nats: nats.url, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^puppet1\s+OK$/m);
    assert.match(r.stdout, /^\s+Ensure: present$/m);
    // The resource hash follows its label, one parameter per line when it does not fit on one.
    assert.match(r.stdout, /^\s+Resource: \{\n\s+"name": "cohort-web",\n\s+"ensure": "present",\n\s+"ip": "10\.1\.2\.3",\n\s+"target": ".*"\n\s+\}$/m);
    assert.match(r.stdout, /Summary of Ensure:/);
  });

  test('a killed helper is replaced on the next request', async () => {
    const [pid] = helperPids();
    assert.ok(pid !== undefined, 'the node runs a puppetral helper after the requests above');
    process.kill(pid, 'SIGKILL');
    const found = await ok(['find', 'type=host', 'title=cohort-web', `target=${hosts}`]);
    assert.equal(found['ensure'], 'present');
    const now = helperPids();
    assert.equal(now.length, 1);
    assert.notEqual(now[0], pid);
  });

  test('the helper does not outlive its node (runs last: stops the node)', async () => {
    const [pid] = helperPids();
    assert.ok(pid !== undefined);
    await fleet.kill(identity, 'SIGTERM');
    const deadline = Date.now() + 5000;
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(), false, `helper ${pid} still running after cohortd stopped`);
  });
});

describe('a node without Puppet', () => {
  test('does not load puppetral and says why', async () => {
    const bus = await startNatsServer();
    const bare = await startFleet({
      natsUrl: bus.url,
      monitorPort: bus.monitorPort,
      nodes: [{ identity: 'bare1', facts: {}, classes: [] }],
      config: { puppetral: { puppet: join(tmpdir(), 'no-such-dir', 'puppet') } },
    });
    try {
      const r = await cohort(['rpc', 'rpcutil', 'daemon_stats', '-I', 'bare1', '--json'], { nats: bus.url });
      assert.equal(r.code, 0, r.stderr);
      const data = (JSON.parse(r.stdout) as { replies: JsonReply[] }).replies[0]?.data ?? {};
      assert.match(String((data['unloaded_agents'] as Record<string, unknown>)['puppetral']), /Puppet is not installed/);
      assert.ok(!(data['agents'] as string[]).includes('puppetral'));
    } finally {
      await bare.stop();
      await bus.stop();
    }
  });
});
