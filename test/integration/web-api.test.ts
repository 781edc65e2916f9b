// `cohort web` for real: a private JetStream nats-server, three real cohortd
// nodes in signed mode (node keys certified by a throwaway issuer,
// actionpolicy allowing the web users by name, an audit log each, an NRPE
// check_state command per node), and the console started through the CLI
// bin. Logs in as admin and watcher with fetch(), runs rpcutil ping and nrpe
// through /api/run, follows /api/jobs/:id/stream to the end, finds the job in
// the history (also after a restart), retries the failed nodes, and shows
// the refusals: watcher on every changing endpoint, a missing CSRF header, a
// user without a key, an action outside an allow-list, a wrong password
// rate-limited; and the nodes' audit logs naming the web user.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { AuditRecord } from '@cohort/core';
import { cohort, cohortBin, startFleet, startNatsServer, until, type Fleet, type NatsServer } from '../harness/index.js';
import { describe, test } from '../harness/skip.js';
import { routeTable } from '../../packages/web/src/roles.ts';
import { contentSecurityPolicy } from '../../packages/web/src/headers.ts';

const plugins = '/usr/lib/nagios/plugins';
function missing(): string | false {
  if (existsSync(join(plugins, 'check_dummy'))) return false;
  const why = `needs ${plugins}/check_dummy (apt-get install monitoring-plugins-basic)`;
  if (process.env['CI']) throw new Error(why);
  return why;
}
const skip = missing();

const nodes = [
  { identity: 'web1', role: 'web', state: 0, text: 'all fine' },
  { identity: 'web2', role: 'web', state: 1, text: 'load is high' },
  { identity: 'db1', role: 'db', state: 2, text: 'disk is full' },
];
const hostile = '<img src=x onerror=alert(1)>';
const passwords: Record<string, string> = { alice: 'alice-secret-1', bob: 'bob-secret-22', dave: 'dave-secret-333', erin: 'erin-secret-4444', frank: 'frank-secret-55555' };

/** A logged-in browser: the session cookie and the CSRF token. */
interface Agent {
  cookie: string;
  csrf: string;
}

describe('cohort web: the API over a signed fleet of real cohortd', { skip }, () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let web: ChildProcess | undefined;
  let base = '';
  let log = '';
  const dir = mkdtempSync(join(tmpdir(), 'cohort-web-it-'));
  const fleetDir = join(dir, 'fleet');
  const keysDir = join(dir, 'keys');
  const webYaml = join(dir, 'web.yaml');

  const cli = (args: string[], input = '') => execFileSync(process.execPath, [cohortBin, ...args], { input, env: { ...process.env, COHORT_KEY: '', HOME: dir }, stdio: ['pipe', 'pipe', 'pipe'] }).toString();

  async function startWeb(): Promise<void> {
    log = '';
    const child = spawn(process.execPath, [cohortBin, 'web', '--config', webYaml], { env: { ...process.env, COHORT_KEY: '', COHORT_CONFIG: '', HOME: dir, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    web = child;
    child.stderr!.on('data', (d: Buffer) => (log += d));
    await until('the console to listen', () => /serving the console on (http:\/\/[^/\s]+)\//.test(log) || child.exitCode !== null, { timeoutMs: 30_000, log: () => log, logName: 'cohort web' });
    const m = /serving the console on (http:\/\/[^/\s]+)\//.exec(log);
    assert.ok(m, `cohort web did not start:\n${log}`);
    base = m[1]!;
  }

  async function stopWeb(): Promise<void> {
    const child = web;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  async function call(method: string, path: string, agent?: Agent, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
    return fetch(`${base}${path}`, {
      method,
      headers: {
        ...(agent ? { cookie: agent.cookie } : {}),
        ...(agent && method !== 'GET' ? { 'x-csrf-token': agent.csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...extra,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async function login(user: string, password = passwords[user]!): Promise<Agent> {
    const res = await call('POST', '/api/login', undefined, { user, password });
    assert.equal(res.status, 200, `login ${user}: ${res.status} ${await res.clone().text()}`);
    const body = (await res.json()) as { csrf: string };
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /cohort_session=[^;]+;.*HttpOnly/i);
    assert.match(setCookie, /SameSite=Strict/i);
    return { cookie: setCookie.split(';')[0]!, csrf: body.csrf };
  }

  /** Follow a job's event stream to its `done` event: the replies and the done data, in order. */
  async function follow(agent: Agent, id: string): Promise<{ replies: Array<Record<string, unknown>>; done: Record<string, unknown> }> {
    const res = await call('GET', `/api/jobs/${id}/stream`, agent);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.equal(res.headers.get('content-security-policy'), contentSecurityPolicy);
    const replies: Array<Record<string, unknown>> = [];
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const event = /^event: (\w+)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || data === undefined) continue;
        if (event === 'reply') replies.push(JSON.parse(data) as Record<string, unknown>);
        if (event === 'done') return { replies, done: JSON.parse(data) as Record<string, unknown> };
      }
    }
    throw new Error(`stream of job ${id} ended without done`);
  }

  const audit = (identity: string): AuditRecord[] => {
    const file = join(fleetDir, identity, 'audit.log');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord) : [];
  };

  const flip = (identity: string, code: number) => writeFileSync(join(dir, `state-${identity}`), `${code}\n`);

  before(async () => {
    mkdirSync(keysDir, { recursive: true });
    // A check plugin whose state is a file the test writes (0 OK, 2 CRITICAL); its output carries markup.
    const plugin = join(dir, 'check_flip');
    writeFileSync(plugin, `#!/bin/sh\ns=$(cat "$1" 2>/dev/null || echo 3)\necho "flip is $s ${hostile}"\nexit $s\n`);
    chmodSync(plugin, 0o755);
    for (const n of nodes) flip(n.identity, 0);
    for (const n of nodes) {
      const d = join(fleetDir, n.identity);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'nrpe.cfg'), `command[check_state]=${plugins}/check_dummy ${n.state} "${n.text}"\n`);
    }
    nats = await startNatsServer({ jetstream: true });
    const allowWeb = 'policy default deny\nallow\tuser=alice user=erin\t*\t*\t*\n';
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir: fleetDir,
      nodes: nodes.map((n) => ({ identity: n.identity, facts: { role: n.role, ...(n.identity === 'web1' ? { motd: hostile } : {}) }, classes: [n.role] })),
      pluginDirs: [],
      config: {
        nrpe: { conf_file: 'nrpe.cfg' },
        checks: { flip: { command: [plugin, `${dir}/state-$identity$`], interval: '1s', retries: 1, splay: false } },
        mine: { banner: { command: ['/bin/echo', hostile], interval: '2s' } },
      },
      registry: true,
      secure: { policies: { 'rpcutil.policy': allowWeb, 'nrpe.policy': allowWeb } },
    });
    // The web users' keys, certified by the fleet's issuer as `cohort keys` does it.
    const issuerKey = join(fleetDir, 'security', 'issuer.key');
    for (const name of ['alice', 'erin', 'frank']) {
      cli(['keys', 'generate', name, '--dir', keysDir]);
      cli(['keys', 'sign', '--issuer', issuerKey, join(keysDir, `${name}.pub`)]);
    }
    // A results template for nrpe beside the DDLs the console searches.
    mkdirSync(join(dir, 'ddl'));
    writeFileSync(join(dir, 'ddl', 'nrpe.results.mustache'), '<table>{{#replies}}<tr><td>{{identity}}</td></tr>{{/replies}}</table>\n');
    writeFileSync(join(dir, 'client.yaml'), yaml.dump({ nats: { servers: [nats.url] }, issuers: [fleet.issuer], ddl_dirs: [join(dir, 'ddl')] }));
    // A stand-in for the built page (the real one is bundled by the page's build into dist/ui).
    mkdirSync(join(dir, 'ui', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'ui', 'index.html'), '<!doctype html><title>Cohort</title><script type="module" src="/assets/app.js"></script>\n');
    writeFileSync(join(dir, 'ui', 'assets', 'app.js'), 'export {};\n');
    writeFileSync(webYaml, yaml.dump({ listen: '127.0.0.1:0', client_config: 'client.yaml', ui_dir: 'ui', login_limit: { per_user: 3, per_address: 50, window: '10m' } }));
    cli(['web', 'useradd', 'alice', '--role', 'admin', '--key', join(keysDir, 'alice.key'), '--config', webYaml], `${passwords['alice']}\n`);
    cli(['web', 'useradd', 'bob', '--role', 'watcher', '--config', webYaml], `${passwords['bob']}\n`);
    cli(['web', 'useradd', 'dave', '--role', 'admin', '--config', webYaml], `${passwords['dave']}\n`);
    cli(['web', 'useradd', 'frank', '--role', 'admin', '--key', join(keysDir, 'frank.key'), '--config', webYaml], `${passwords['frank']}\n`);
    cli(['web', 'useradd', 'erin', '--role', 'admin', '--key', join(keysDir, 'erin.key'), '--allow', 'rpcutil.*', '--config', webYaml], `${passwords['erin']}\n`);
    await startWeb();
  });

  after(async () => {
    await stopWeb();
    await fleet?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the users file holds scrypt hashes, never the passwords, mode 0600; the secret file is 0600', () => {
    const text = readFileSync(join(dir, 'users.yaml'), 'utf8');
    for (const pw of Object.values(passwords)) assert.ok(!text.includes(pw));
    assert.match(text, /password: scrypt\$15\$8\$1\$/);
    assert.equal(statSync(join(dir, 'users.yaml')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'web.secret')).mode & 0o777, 0o600);
  });

  test('not logged in: 401 on the API; security headers on every response', async () => {
    for (const path of ['/api/nodes', '/api/session', '/api/jobs']) {
      const res = await call('GET', path);
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: 'not logged in' });
      assert.equal(res.headers.get('content-security-policy'), contentSecurityPolicy);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    }
    const missingRoute = await call('GET', '/api/nope');
    assert.equal(missingRoute.status, 404);
    assert.equal(missingRoute.headers.get('content-security-policy'), contentSecurityPolicy);
  });

  test('login: admin and watcher get their role and a CSRF token; a wrong password is 401', async () => {
    const alice = await login('alice');
    const s = (await (await call('GET', '/api/session', alice)).json()) as Record<string, unknown>;
    assert.deepEqual(s, { user: 'alice', role: 'admin', csrf: alice.csrf });
    const bob = await login('bob');
    assert.equal(((await (await call('GET', '/api/session', bob)).json()) as { role: string }).role, 'watcher');
    const erin = await login('erin');
    assert.deepEqual(((await (await call('GET', '/api/session', erin)).json()) as { allow: string[] }).allow, ['rpcutil.*']);
    const wrong = await call('POST', '/api/login', undefined, { user: 'alice', password: 'not-hers' });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, 'wrong user name or password');
  });

  test('the fleet from the verified registry: filter, grouping, a node, counts, agents and DDLs; hostile facts stay JSON strings', async () => {
    const bob = await login('bob');
    const all = (await (await call('GET', '/api/nodes?group=fact:role', bob)).json()) as { nodes: Array<{ identity: string; facts: Record<string, unknown>; agents: string[] }>; groups: Array<{ value: string; count: number }>; count: number };
    assert.deepEqual(all.nodes.map((n) => n.identity), ['db1', 'web1', 'web2']);
    assert.deepEqual(all.groups, [{ value: 'web', count: 2 }, { value: 'db', count: 1 }]);
    const web = (await (await call('GET', `/api/nodes?filter=${encodeURIComponent('role=web')}`, bob)).json()) as { count: number };
    assert.equal(web.count, 2);
    const byClass = (await (await call('GET', '/api/nodes?group=class', bob)).json()) as { groups: Array<{ value: string; count: number }> };
    assert.deepEqual(byClass.groups, [{ value: 'web', count: 2 }, { value: 'db', count: 1 }]);
    const bad = await call('GET', `/api/nodes?filter=${encodeURIComponent('role=~/[/')}`, bob);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { field: string }).field, 'filter');
    const res = await call('GET', '/api/nodes/web1', bob);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const node = (await res.json()) as { facts: { motd: string }; agents: string[]; checks: unknown[]; mine: object };
    assert.equal(node.facts.motd, hostile);
    assert.ok(node.agents.includes('nrpe') && node.agents.includes('rpcutil'));
    assert.ok(Array.isArray(node.checks));
    assert.equal((await call('GET', '/api/nodes/nosuch', bob)).status, 404);
    assert.deepEqual(await (await call('GET', `/api/count?filter=${encodeURIComponent('role=db')}`, bob)).json(), { count: 1 });
    const agents = (await (await call('GET', '/api/agents', bob)).json()) as Array<{ name: string; nodes: number; actions: string[] }>;
    const nrpe = agents.find((a) => a.name === 'nrpe');
    assert.equal(nrpe?.nodes, 3);
    assert.ok(nrpe?.actions.includes('runcommand'));
    const ddl = (await (await call('GET', '/api/agents/nrpe', bob)).json()) as { metadata: { name: string }; actions: Array<{ action: string; aggregate?: unknown[] }> };
    assert.equal(ddl.metadata.name, 'nrpe');
    assert.ok(ddl.actions.find((a) => a.action === 'runcommand')?.aggregate);
    assert.match((ddl as { resultsTemplate?: string }).resultsTemplate ?? '', /^<table>\{\{#replies\}\}/);
    assert.equal(((await (await call('GET', '/api/agents/rpcutil', bob)).json()) as { resultsTemplate?: string }).resultsTemplate, undefined);
    assert.equal((await call('GET', '/api/agents/nosuch', bob)).status, 404);
  });

  test('check states and mine values per node; live check events over SSE', async () => {
    const bob = await login('bob');
    type Listed = { nodes: Array<{ identity: string; checks: Record<string, string> }> };
    await until('every node to report flip OK', async () => {
      const l = (await (await call('GET', '/api/nodes', bob)).json()) as Listed;
      return l.nodes.length === 3 && l.nodes.every((n) => n.checks['flip'] === 'OK');
    }, { timeoutMs: 30_000, log: () => log, logName: 'cohort web' });
    await until('web1 to have mined its banner', async () => {
      const n = (await (await call('GET', '/api/nodes/web1', bob)).json()) as { mine: Record<string, { value: unknown }> };
      return n.mine['banner'] !== undefined;
    }, { timeoutMs: 30_000 });
    const web1 = (await (await call('GET', '/api/nodes/web1', bob)).json()) as { mine: Record<string, { value: string; stale: boolean }>; checks: Array<{ name: string; state: string; output: string }> };
    assert.equal(web1.mine['banner']!.value.trim(), hostile);
    assert.equal(web1.mine['banner']!.stale, false);
    assert.equal(web1.checks.find((c) => c.name === 'flip')?.output.includes(hostile), true);

    const res = await call('GET', '/api/events', bob);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    // The stream is open (its first comment arrived) before the state changes.
    let buf = decoder.decode((await reader.read()).value);
    flip('web2', 2);
    let event: Record<string, unknown> | undefined;
    while (!event) {
      const { value, done } = await reader.read();
      assert.equal(done, false, 'the event stream ended');
      buf += decoder.decode(value, { stream: true });
      for (const block of buf.split('\n\n')) {
        const data = /^event: check\ndata: (.*)$/m.exec(block)?.[1];
        const e = data ? (JSON.parse(data) as Record<string, unknown>) : undefined;
        if (e && e['identity'] === 'web2' && e['check'] === 'flip' && e['state'] === 'CRITICAL') event = e;
      }
    }
    await reader.cancel();
    assert.equal(event['previous'], 'OK');
    assert.match(String(event['output']), /flip is 2/);
    await until('web2 flip CRITICAL in the node list', async () => {
      const l = (await (await call('GET', `/api/nodes?filter=${encodeURIComponent('role=web')}`, bob)).json()) as Listed;
      return l.nodes.find((n) => n.identity === 'web2')?.checks['flip'] === 'CRITICAL';
    }, { timeoutMs: 30_000 });
    flip('web2', 0);
  });

  test('install instructions; statistics without Graphite are a clear 404; the page is served with the CSP', async () => {
    const bob = await login('bob');
    const install = (await (await call('GET', '/api/install', bob)).json()) as { nats: string; collective: string; steps: string[]; cloudInit: string };
    assert.equal(install.nats, nats.url);
    assert.equal(install.collective, 'cohort');
    assert.ok(install.steps.length > 3);
    assert.match(install.cloudInit, /^#cloud-config\n/);
    const stats = await call('GET', '/api/stats?identity=web1&metric=load.load1', bob);
    assert.equal(stats.status, 404);
    assert.deepEqual(await stats.json(), { error: 'no metrics source configured' });
    for (const path of ['/', '/fleet/web1']) {
      const page = await call('GET', path);
      assert.equal(page.status, 200, path);
      assert.equal(page.headers.get('content-security-policy'), contentSecurityPolicy);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await page.text(), /<title>Cohort<\/title>/);
    }
    const script = await call('GET', '/assets/app.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(script.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await call('GET', '/assets/nope.js')).status, 404);
    const traversal = await call('GET', '/assets/..%2f..%2f..%2fpackage.json');
    assert.equal(traversal.status, 404);
  });

  test('limit and batch: a run addresses only as many nodes as asked', async () => {
    const alice = await login('alice');
    const res = await call('POST', '/api/run', alice, { agent: 'rpcutil', action: 'ping', inputs: {}, limit: 2, batch: 1 });
    assert.equal(res.status, 202);
    const { job, discovered } = (await res.json()) as { job: string; discovered: number };
    assert.equal(discovered, 2);
    const { replies, done } = await follow(alice, job);
    assert.equal(replies.length, 2);
    assert.equal(done['ok'], 2);
    const nodesRun = await call('POST', '/api/run', alice, { agent: 'rpcutil', action: 'ping', inputs: {}, nodes: ['web1', 'nosuch'] });
    assert.equal(((await nodesRun.json()) as { discovered: number }).discovered, 1);
  });

  test('validate: the DDL validators of the CLI, naming the field', async () => {
    const alice = await login('alice');
    assert.deepEqual(await (await call('POST', '/api/validate', alice, { agent: 'nrpe', action: 'runcommand', inputs: { command: 'check_state' } })).json(), { ok: true });
    const missingInput = await call('POST', '/api/validate', alice, { agent: 'nrpe', action: 'runcommand', inputs: {} });
    assert.equal(missingInput.status, 400);
    assert.equal(((await missingInput.json()) as { field: string }).field, 'command');
    const badAction = await call('POST', '/api/validate', alice, { agent: 'nrpe', action: 'explode', inputs: {} });
    assert.equal(badAction.status, 400);
    assert.match(((await badAction.json()) as { error: string }).error, /no action 'explode'/);
  });

  test('a changing request without the CSRF header is refused (403) and runs nothing', async () => {
    const alice = await login('alice');
    const before = audit('web1').length;
    const res = await fetch(`${base}/api/run`, { method: 'POST', headers: { cookie: alice.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'rpcutil', action: 'ping', inputs: {} }) });
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error, /X-CSRF-Token/);
    const wrongToken = await call('POST', '/api/run', { cookie: alice.cookie, csrf: 'forged' }, { agent: 'rpcutil', action: 'ping', inputs: {} });
    assert.equal(wrongToken.status, 403);
    // What a cross-site form or a CORS-simple request can send is not accepted at all.
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const res2 = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': type }, body: 'user=alice&password=x' });
      assert.equal(res2.status, 415, type);
      assert.ok(((await res2.json()) as { error: string }).error);
    }
    const notJson = await call('POST', '/api/validate', alice, undefined, { 'content-type': 'application/json' });
    assert.equal(notJson.status, 400);
    assert.equal(audit('web1').length, before);
  });

  let pingJob = '';
  test('admin runs rpcutil ping: 202, the replies streamed to done, the job in the history, audit logs name the web user', async () => {
    const alice = await login('alice');
    const res = await call('POST', '/api/run', alice, { agent: 'rpcutil', action: 'ping', inputs: {}, filter: '' });
    assert.equal(res.status, 202, await res.clone().text());
    const started = (await res.json()) as { job: string; discovered: number };
    assert.equal(started.discovered, 3);
    pingJob = started.job;
    const { replies, done } = await follow(alice, started.job);
    assert.deepEqual(replies.map((r) => r['identity']).sort(), ['db1', 'web1', 'web2']);
    assert.ok(replies.every((r) => r['statuscode'] === 0));
    assert.equal(done['ok'], 3);
    assert.deepEqual(done['noreply'], []);
    // A late follower gets the replies so far and done.
    const late = await follow(alice, started.job);
    assert.equal(late.replies.length, 3);
    const list = (await (await call('GET', '/api/jobs?limit=10', alice)).json()) as Array<Record<string, unknown>>;
    const row = list.find((j) => j['id'] === started.job);
    assert.equal(row?.['user'], 'alice');
    assert.equal(row?.['agent'], 'rpcutil');
    assert.equal(row?.['ok'], 3);
    assert.equal(typeof row?.['finished'], 'number');
    for (const n of nodes) {
      const mine = audit(n.identity).filter((a) => a.agent === 'rpcutil' && a.action === 'ping' && a.callerid === 'user=alice');
      assert.ok(mine.length >= 1, `${n.identity}'s audit log has no ping by user=alice`);
      assert.ok(mine.every((a) => a.verified));
    }
  });

  let nrpeJob = '';
  test('admin runs nrpe check_state: the Nagios counts summarised; retry re-runs only the failed nodes', async () => {
    const alice = await login('alice');
    const res = await call('POST', '/api/run', alice, { agent: 'nrpe', action: 'runcommand', inputs: { command: 'check_state' } });
    assert.equal(res.status, 202, await res.clone().text());
    const { job } = (await res.json()) as { job: string };
    nrpeJob = job;
    const { replies, done } = await follow(alice, job);
    assert.equal(replies.length, 3);
    const summary = done['summary'] as Array<{ function: string; counts: Array<[string, number]> }>;
    const nagios = summary.find((s) => s.function === 'nagios_states');
    assert.ok(nagios, JSON.stringify(summary));
    const counts = Object.fromEntries(nagios.counts);
    assert.equal(counts['OK'], 1);
    assert.equal(counts['WARNING'], 1);
    assert.equal(counts['CRITICAL'], 1);
    const detail = (await (await call('GET', `/api/jobs/${job}`, alice)).json()) as { job: { inputs: Record<string, unknown> }; replies: Array<{ identity: string; statuscode: number }>; summary: unknown[] };
    assert.equal(detail.job.inputs['command'], 'check_state');
    const failed = detail.replies.filter((r) => r.statuscode !== 0).map((r) => r.identity).sort();
    assert.deepEqual(failed, ['db1', 'web2']);
    const retry = await call('POST', `/api/jobs/${job}/retry`, alice);
    assert.equal(retry.status, 202, await retry.clone().text());
    const again = (await retry.json()) as { job: string; discovered: number };
    assert.equal(again.discovered, 2);
    const second = await follow(alice, again.job);
    assert.deepEqual(second.replies.map((r) => r['identity']).sort(), ['db1', 'web2']);
    const retried = (await (await call('GET', `/api/jobs/${again.job}`, alice)).json()) as { job: { retryOf: string; nodes: string[] } };
    assert.equal(retried.job.retryOf, job);
    for (const id of ['db1', 'web2']) assert.ok(audit(id).filter((a) => a.agent === 'nrpe' && a.callerid === 'user=alice').length >= 2);
    assert.equal(audit('web1').filter((a) => a.agent === 'nrpe' && a.callerid === 'user=alice').length, 1);
  });

  test('a watcher is refused on every changing endpoint, and nothing runs', async () => {
    const bob = await login('bob');
    const before = nodes.map((n) => audit(n.identity).length);
    const changing = routeTable.filter((r) => r.changes);
    assert.deepEqual(changing.map((r) => `${r.method} ${r.path}`).sort(), ['POST /api/jobs/:id/retry', 'POST /api/run']);
    for (const r of changing) {
      const path = r.path.replace(':id', nrpeJob);
      const res = await call(r.method, path, bob, r.path === '/api/run' ? { agent: 'rpcutil', action: 'ping', inputs: {} } : {});
      assert.equal(res.status, 403, `${r.method} ${r.path} for a watcher`);
      assert.match(((await res.json()) as { error: string }).error, /^watchers cannot/);
    }
    // A watcher still reads everything.
    assert.equal((await call('GET', `/api/jobs/${pingJob}`, bob)).status, 200);
    assert.deepEqual(nodes.map((n) => audit(n.identity).length), before);
  });

  test('an admin without a key gets a 403 naming the missing key; an allow-list refuses other actions', async () => {
    const dave = await login('dave');
    const res = await call('POST', '/api/run', dave, { agent: 'rpcutil', action: 'ping', inputs: {} });
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error, /web user dave has no signing key/);
    const erin = await login('erin');
    const refused = await call('POST', '/api/run', erin, { agent: 'nrpe', action: 'runcommand', inputs: { command: 'check_state' } });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: string }).error, /erin may not run nrpe\.runcommand/);
    const ok = await call('POST', '/api/run', erin, { agent: 'rpcutil', action: 'ping', inputs: {}, filter: 'role=db' });
    assert.equal(ok.status, 202);
    const { job, discovered } = (await ok.json()) as { job: string; discovered: number };
    assert.equal(discovered, 1);
    assert.equal((await follow(erin, job)).replies.length, 1);
    assert.ok(audit('db1').some((a) => a.agent === 'rpcutil' && a.callerid === 'user=erin'));
  });

  test("the nodes' actionpolicy judges the web user, not the console: an admin the policy does not name is denied, and the audit says who", async () => {
    const frank = await login('frank');
    const res = await call('POST', '/api/run', frank, { agent: 'rpcutil', action: 'ping', inputs: {}, filter: 'role=db' });
    assert.equal(res.status, 202);
    const { job } = (await res.json()) as { job: string };
    const { replies, done } = await follow(frank, job);
    assert.equal(done['ok'], 0);
    assert.equal(replies.length, 1);
    assert.notEqual(replies[0]!['statuscode'], 0);
    const denied = audit('db1').filter((a) => a.callerid === 'user=frank');
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.outcome, 'denied');
    assert.equal(denied[0]!.verified, true);
  });

  test('bad run requests: 400 naming the field', async () => {
    const alice = await login('alice');
    const cases: Array<[unknown, string]> = [
      [{ action: 'ping', inputs: {} }, 'agent'],
      [{ agent: 'nrpe', action: 'runcommand', inputs: {} }, 'command'],
      [{ agent: 'rpcutil', action: 'ping', inputs: {}, filter: 'role=nosuch' }, 'filter'],
      [{ agent: 'rpcutil', action: 'ping', inputs: {}, limit: '0%' }, 'limit'],
      [{ agent: 'rpcutil', action: 'ping', inputs: [] }, 'inputs'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', '/api/run', alice, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(((await res.json()) as { field: string }).field, field, JSON.stringify(body));
    }
  });

  let loggedOut: Agent | undefined;
  test('logout ends the session', async () => {
    const alice = await login('alice');
    assert.equal((await call('POST', '/api/logout', alice)).status, 204);
    assert.equal((await call('GET', '/api/session', alice)).status, 401);
    loggedOut = alice;
  });

  test('a new password (cohort web passwd) ends the sessions of that user', async () => {
    const erin = await login('erin');
    cli(['web', 'passwd', 'erin', '--config', webYaml], 'erin-new-secret\n');
    await until('erin\'s old session to be refused', async () => (await call('GET', '/api/session', erin)).status === 401, { timeoutMs: 10_000 });
    assert.equal((await call('POST', '/api/login', undefined, { user: 'erin', password: passwords['erin'] })).status, 401);
    passwords['erin'] = 'erin-new-secret';
    const again = await login('erin');
    assert.equal((await call('GET', '/api/session', again)).status, 200);
  });

  test('the job history survives a restart of the console', async () => {
    const alice = await login('alice');
    // An open event stream (a page left open) does not keep the console from stopping.
    const events = await call('GET', '/api/events', alice);
    assert.equal(events.status, 200);
    await stopWeb();
    await events.body?.cancel().catch(() => undefined);
    assert.match(log, /stopped on SIGTERM/);
    await startWeb();
    // Signed cookies: still logged in after the restart; a logged-out cookie stays logged out.
    assert.equal((await call('GET', '/api/session', alice)).status, 200);
    assert.ok(loggedOut);
    assert.equal((await call('GET', '/api/session', loggedOut)).status, 401);
    const detail = await call('GET', `/api/jobs/${nrpeJob}`, alice);
    assert.equal(detail.status, 200);
    const d = (await detail.json()) as { job: { user: string }; replies: unknown[]; summary: unknown[] };
    assert.equal(d.job.user, 'alice');
    assert.equal(d.replies.length, 3);
    assert.ok(d.summary.length > 0);
    const list = (await (await call('GET', '/api/jobs', alice)).json()) as Array<{ id: string }>;
    assert.ok(list.some((j) => j.id === pingJob));
    const replay = await follow(alice, pingJob);
    assert.equal(replay.replies.length, 3);
  });

  test('wrong passwords are rate-limited per user: 429 with Retry-After, even for the right password', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await call('POST', '/api/login', undefined, { user: 'dave', password: `guess-${i}` })).status, 401);
    const limited = await call('POST', '/api/login', undefined, { user: 'dave', password: passwords['dave'] });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    // Other users are not locked out.
    await login('bob');
  });

  test('bad settings stop the console with an error naming the key; passwords never come from arguments', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'lisen: 127.0.0.1:0\n');
    const r = await cohort(['web', '--config', bad], { env: { COHORT_KEY: '', HOME: dir } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown key 'lisen' \(did you mean 'listen'\?\)/);
    const none = await cohort(['web'], { env: { COHORT_KEY: '', HOME: dir } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /cohort web --config web.yaml/);
    const empty = await cohort(['web', 'useradd', 'zed', '--role', 'admin', '--config', webYaml], { input: '', env: { HOME: dir } });
    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /no password on standard input/);
    const role = await cohort(['web', 'useradd', 'zed', '--config', webYaml], { input: 'long-enough-pw\n', env: { HOME: dir } });
    assert.notEqual(role.code, 0);
    assert.match(role.stderr, /--role admin/);
  });

  test('with TLS: HTTPS, Secure cookies, HSTS', async () => {
    const tlsDir = join(dir, 'tls');
    mkdirSync(tlsDir);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(tlsDir, 'key.pem'), '-out', join(tlsDir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
    const tlsYaml = join(dir, 'web-tls.yaml');
    writeFileSync(tlsYaml, yaml.dump({ listen: '127.0.0.1:0', client_config: 'client.yaml', users_file: 'users.yaml', secret_file: 'tls.secret', tls: { cert: 'tls/cert.pem', key: 'tls/key.pem' } }));
    let tlsLog = '';
    const child = spawn(process.execPath, [cohortBin, 'web', '--config', tlsYaml], { env: { ...process.env, COHORT_KEY: '', COHORT_CONFIG: '', HOME: dir }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => (tlsLog += d));
    try {
      await until('the TLS console to listen', () => /serving the console on https:\/\/127.0.0.1:\d+\//.test(tlsLog) || child.exitCode !== null, { timeoutMs: 30_000, log: () => tlsLog });
      const port = Number(/https:\/\/127.0.0.1:(\d+)\//.exec(tlsLog)![1]);
      const ca = readFileSync(join(tlsDir, 'cert.pem'));
      const res = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path: '/api/login', method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ user: 'bob', password: passwords['bob'] }));
      });
      assert.equal(res.status, 200, res.body);
      const cookie = String(res.headers['set-cookie']);
      assert.match(cookie, /cohort_session=/);
      assert.match(cookie, /; Secure/);
      assert.match(String(res.headers['strict-transport-security']), /max-age=/);
      assert.equal(res.headers['content-security-policy'], contentSecurityPolicy);
    } finally {
      const exited = new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
