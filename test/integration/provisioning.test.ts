// Provisioning end to end: four real cohortd processes start in provisioning
// mode; two CA nodes (real cohortd hosting ca with the openssl backend) live
// in the production collective; the provisioner, a real process, takes each
// node through the pipeline (Puppet steps off). Killed (SIGKILL) mid-pipeline
// and restarted, it finishes every node exactly once: one success webhook
// and one mail per node, certificates that verify against the CA of the
// node's region, every node answering `cohort ping` in production. Then two
// provisioners at once on three more nodes do not collide.
import { after, before, describe, test } from '../harness/skip.js'; // groups skipped test by test
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cohort, startFleet, startNatsServer, type Fleet, type NatsServer } from '../harness/index.js';
import {
  checkCertificate,
  finalTemplate,
  haveOpenssl,
  restartFreshNode,
  smtpReceiver,
  startFreshNodes,
  startProvisioner,
  stateRecords,
  token,
  trustingClientConfig,
  waitFor,
  webhookReceiver,
  writePipeline,
  type FreshNode,
  type Proc,
} from './provisioning-env.ts';

if (!haveOpenssl && process.env['CI']) throw new Error('openssl is required for the provisioning test (apt-get install openssl)');

describe('provisioning end to end', { skip: haveOpenssl ? false : 'openssl is not installed' }, () => {
  let nats: NatsServer;
  const root = mkdtempSync(join(tmpdir(), 'cohort-provisioning-'));
  const cas: Fleet[] = [];
  const nodes: FreshNode[] = [];
  const provisioners: Proc[] = [];
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  const run = (args: string[]) => cohort(args, { nats: nats.url, timeoutMs: 60_000 });
  const logs = () => [...provisioners.map((p, i) => `--- provisioner ${i}\n${p.log().slice(-4000)}`), ...nodes.map((n) => `--- ${n.identity}\n${n.proc.log().slice(-1500)}`)].join('\n');

  function pipeline(name: string, extra: Record<string, unknown> = {}): string {
    return writePipeline(join(root, `${name}.yaml`), {
      name,
      workers: 2,
      interval: 2,
      provisioning: { token },
      state: { lease: 4, max_attempts: 3, retry_delay: 1, cooldown: 60 },
      backoff: { initial: 0.2, max: 1 },
      steps: {
        choose_master: { criteria: ['region'], fallback: 'first', ip_fact: 'ipaddress' },
        gencsr: { subject: { O: 'Cohort IT' } },
        configure: { template: finalTemplate(root, nats.url) },
        restart: { splay: 1 },
        verify: { timeout: 60 },
      },
      notify: [
        { type: 'log' },
        { type: 'webhook', url: hook.url, headers: { 'x-test': name } },
        { type: 'email', events: ['provisioned'], smtp: { host: '127.0.0.1', port: smtp.port, ignore_tls: true }, from: 'cohort@example.net', to: 'ops@example.net', subject: '{{identity}} {{event}} by {{provisioner}}' },
      ],
      ...extra,
    });
  }

  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    hook = await webhookReceiver();
    smtp = await smtpReceiver();
    for (const region of ['eu', 'us']) {
      const identity = `ca-${region}`;
      cas.push(
        await startFleet({
          natsUrl: nats.url,
          monitorPort: nats.monitorPort,
          nodes: [{ identity, facts: { region, ipaddress: '127.0.0.1' }, classes: [] }],
          config: { ca: { enabled: true, backend: 'openssl', dir: join(root, `ca-${region}`), days: 30 } },
          registry: true,
        }),
      );
    }
  });

  // The provisioner trusts the issuers that certified the CA nodes' keys (it takes masters only from verified nodes).
  const clientConfig = (): string => trustingClientConfig(join(root, 'provisioner-client.yaml'), cas.map((f) => f.issuer!));

  after(async () => {
    for (const p of provisioners) await p.stop('SIGKILL');
    for (const n of nodes) await n.proc.stop();
    for (const f of cas) await f.stop();
    hook?.close();
    smtp?.close();
    await nats?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('four fresh nodes: provisioner killed mid-pipeline and restarted, every node finishes exactly once', async () => {
    const fresh = [
      { identity: 'web1', facts: { region: 'eu', country: 'de' } },
      { identity: 'web2', facts: { region: 'eu', country: 'fr' } },
      { identity: 'db1', facts: { region: 'us', country: 'us' } },
      { identity: 'edge1', facts: { region: 'ap', country: 'jp' } },
    ];
    nodes.push(...(await startFreshNodes(join(root), nats.url, nats.monitorPort, fresh)));
    const file = pipeline('prov-1');
    const first = startProvisioner(file, nats.url, clientConfig());
    provisioners.push(first);
    // Kill it while a node is mid-pipeline (some steps recorded, not finished).
    const seen = await waitFor('a node mid-pipeline', async () => {
      const mid = (await stateRecords(nats.url)).find((r) => r.phase === 'running' && r.completed.includes('sign'));
      return mid;
    }, 90_000, logs, 20);
    first.child.kill('SIGKILL');
    await first.stop('SIGKILL');
    const atKill = await stateRecords(nats.url);
    assert.ok(atKill.some((r) => r.identity === seen.identity && r.phase !== 'done'), 'killed before that node was done');

    provisioners.push(startProvisioner(file, nats.url, clientConfig()));
    const done = await waitFor('every node done and notified', async () => {
      const records = await stateRecords(nats.url);
      return records.length === 4 && records.every((r) => r.phase === 'done' && r.notified) ? records : undefined;
    }, 180_000, logs);

    // Exactly once: one success webhook and one mail per node; each record finished once, on attempt 1 or 2.
    const provisioned = hook.events.filter((e) => e.event === 'provisioned').map((e) => e.identity).sort();
    assert.deepEqual(provisioned, ['db1', 'edge1', 'web1', 'web2']);
    assert.deepEqual(smtp.mails.map((m) => /Subject: (\S+) provisioned by prov-1/.exec(m.raw)?.[1]).sort(), ['db1', 'edge1', 'web1', 'web2']);
    assert.ok(smtp.mails.every((m) => m.from === 'cohort@example.net' && m.to.join() === 'ops@example.net'));
    for (const r of done) assert.ok(r.attempts <= 2 && r.error === null, `${r.identity}: ${JSON.stringify(r)}`);
    const resumed = done.find((r) => r.identity === seen.identity)!;
    assert.equal(resumed.attempts, 2, 'the node caught mid-pipeline was resumed by the second provisioner');

    // Master by region; the ap node fell back to one of them.
    const master = Object.fromEntries(done.map((r) => [r.identity, r.data.master?.identity]));
    assert.deepEqual([master['web1'], master['web2'], master['db1']], ['ca-eu', 'ca-eu', 'ca-us']);
    assert.ok(['ca-eu', 'ca-us'].includes(master['edge1'] ?? ''));
    for (const n of nodes) await checkCertificate(n, master[n.identity] === 'ca-eu' ? 'eu' : 'us', root, nats.url);

    // In production now: same processes, final config written (bootstrap kept), hosts entry for the master.
    const ping = await run(['ping', '-T', 'cohort']);
    assert.equal(ping.code, 0, ping.stderr);
    for (const id of ['web1', 'web2', 'db1', 'edge1', 'ca-eu', 'ca-us']) assert.match(ping.stdout, new RegExp(`^${id}\\s`, 'm'));
    const fact = await run(['rpc', 'rpcutil', 'get_fact', 'fact=cohort.provisioned', '-T', 'cohort', '-I', 'web1', '--json']);
    assert.equal((JSON.parse(fact.stdout) as { replies: Array<{ data: { value: unknown } }> }).replies[0]!.data.value, true);
    const leftover = await run(['find', '-T', 'provisioning', '--dm', 'broadcast']);
    assert.equal(leftover.stdout.trim(), '', 'nobody waits in the provisioning collective');
    for (const n of nodes) {
      assert.equal(n.proc.child.exitCode, null, `${n.identity} restarted in-process`);
      assert.ok(existsSync(`${n.configFile}.bootstrap`));
      assert.match(readFileSync(n.configFile, 'utf8'), /collectives: \[cohort\]/);
      assert.match(readFileSync(n.hostsFile, 'utf8'), new RegExp(`127\\.0\\.0\\.1\\s+${master[n.identity]}\\b.*cohort-provision`));
    }

    // The CLI: status shows every node done; retry refuses an unknown node.
    const status = await run(['provisioner', 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const rows = JSON.parse(status.stdout) as Array<{ identity: string; state: string; last_step: string; ca: string }>;
    assert.deepEqual(rows.map((r) => [r.identity, r.state, r.last_step]), [['db1', 'done', 'verify'], ['edge1', 'done', 'verify'], ['web1', 'done', 'verify'], ['web2', 'done', 'verify']]);
    const table = await run(['provisioner', 'status']);
    assert.match(table.stdout, /4 node\(s\): 4 done, 0 running, 0 pending, 0 failed/);
    const retry = await run(['provisioner', 'retry', 'nosuch']);
    assert.equal(retry.code, 2);
    assert.match(retry.stderr, /nosuch has no provisioning state in bucket cohort_provisioner/);
    // SIGTERM: a clean stop.
    assert.equal(await provisioners[1]!.stop('SIGTERM'), 0);
    assert.match(provisioners[1]!.log(), /stopped on SIGTERM: skipped \d+, done [1-4], notified 0/);
  });

  test('two provisioners at once do not collide: each node is worked on by one, and notified once', async () => {
    const before = hook.events.length;
    const more = await startFreshNodes(root, nats.url, nats.monitorPort, [
      { identity: 'app1', facts: { region: 'eu' } },
      { identity: 'app2', facts: { region: 'us' } },
      { identity: 'app3', facts: { region: 'eu' } },
    ]);
    nodes.push(...more);
    const a = startProvisioner(pipeline('prov-a'), nats.url, clientConfig());
    const b = startProvisioner(pipeline('prov-b'), nats.url, clientConfig());
    provisioners.push(a, b);
    await waitFor('app1..3 done', async () => {
      const records = (await stateRecords(nats.url)).filter((r) => r.identity.startsWith('app'));
      return records.length === 3 && records.every((r) => r.phase === 'done' && r.notified) ? records : undefined;
    }, 180_000, logs);
    const events = hook.events.slice(before).filter((e) => e.event === 'provisioned' && e.identity.startsWith('app'));
    assert.deepEqual(events.map((e) => e.identity).sort(), ['app1', 'app2', 'app3']);
    for (const id of ['app1', 'app2', 'app3']) {
      const workedBy = [a, b].filter((p) => new RegExp(`(provisioning|resuming) ${id} `).test(p.log()));
      assert.equal(workedBy.length, 1, `${id} was worked on by exactly one provisioner`);
    }
    // Both stop cleanly on SIGTERM.
    assert.deepEqual(await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]), [0, 0]);
    assert.match(a.log(), /stopped on SIGTERM/);
  });

  test('SIGINT mid-pipeline: the running step finishes, the node is released at once, another provisioner resumes it', async () => {
    nodes.push(...(await startFreshNodes(root, nats.url, nats.monitorPort, [{ identity: 'late1', facts: { region: 'us' } }])));
    const c = startProvisioner(pipeline('prov-c'), nats.url, clientConfig());
    provisioners.push(c);
    await waitFor('late1 mid-pipeline', async () => (await stateRecords(nats.url)).find((r) => r.identity === 'late1' && r.phase === 'running' && r.completed.includes('gencsr')), 90_000, logs, 20);
    assert.equal(await c.stop('SIGINT'), 0, c.log().slice(-3000));
    const r = (await stateRecords(nats.url)).find((x) => x.identity === 'late1')!;
    assert.deepEqual([r.phase, r.owner, r.lease_until], ['pending', null, 0], `released, not left to a lease: ${JSON.stringify(r)}\n${c.log().slice(-3000)}`);
    assert.match(c.log(), /released late1 after \w+ \(shutting down\)/);
    assert.match(c.log(), /stopped on SIGINT: .*released 1/);
    const d = startProvisioner(pipeline('prov-d'), nats.url, clientConfig());
    provisioners.push(d);
    await waitFor('late1 done', async () => (await stateRecords(nats.url)).find((x) => x.identity === 'late1' && x.phase === 'done' && x.notified), 90_000, logs);
    assert.match(d.log(), new RegExp(`resuming late1 \\(attempt 2, after ${r.completed.at(-1)}\\)`), d.log().slice(-3000));
    assert.deepEqual(hook.events.filter((e) => e.identity === 'late1').map((e) => e.event), ['provisioned']);
    assert.equal(await d.stop('SIGTERM'), 0);
  });

  test('a node that keeps failing is marked failed with the reason and notified; retry provisions it again', async () => {
    const [bad] = await startFreshNodes(root, nats.url, nats.monitorPort, [{ identity: 'bad1', facts: { region: 'eu' }, token: 'not-the-token' }]);
    nodes.push(bad!);
    const e = startProvisioner(pipeline('prov-e'), nats.url, clientConfig());
    provisioners.push(e);
    const failed = await waitFor('bad1 failed', async () => (await stateRecords(nats.url)).find((r) => r.identity === 'bad1' && r.phase === 'failed'), 90_000, logs);
    assert.equal(failed.failures, 3);
    assert.match(failed.error ?? '', /^lock: provision lock on bad1 failed \(status 1\): .*invalid provisioning token/);
    const event = await waitFor('the failed event', async () => hook.events.find((x) => x.identity === 'bad1'), 10_000, logs);
    assert.deepEqual([event.event, event.step, event.attempts], ['failed', 'lock', 3]);
    const status = await run(['provisioner', 'status', 'bad1']);
    assert.match(status.stdout, /^bad1 +failed .*\n +error: lock: provision lock on bad1 failed .*\(next try after \d{4}-/m);
    // Fixed (the right token), then retried at once instead of after the 60 s cool-down.
    await restartFreshNode(bad!, nats.monitorPort, (config) => ((config['provisioning'] as Record<string, unknown>)['token'] = token));
    const retry = await run(['provisioner', 'retry', 'bad1']);
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, /^bad1 will be provisioned again from the first step \(it was failed: lock: /);
    await waitFor('bad1 done', async () => (await stateRecords(nats.url)).find((r) => r.identity === 'bad1' && r.phase === 'done' && r.notified), 90_000, logs);
    assert.deepEqual(hook.events.filter((x) => x.identity === 'bad1').map((x) => x.event), ['failed', 'provisioned']);
    assert.equal(await e.stop('SIGTERM'), 0);
  });
});
