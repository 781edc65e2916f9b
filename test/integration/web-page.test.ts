// The web console's page end to end, in real headless Chromium (Debian's
// `chromium`, driven by playwright-core) against a real nats-server with
// JetStream, three real cohortd in signed mode and the real `cohort web`
// process: admin and watcher logins, rpcutil ping and an nrpe check run from
// the DDL-generated form with live results and the Nagios summary, a retry of
// the node that did not answer, the job in history, the watcher refused, and
// hostile facts and agent output leaving the page inert. Screenshots of each
// page go to docs/web/*.png (shown in docs/web.md).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { cohort, freePort, repoRoot, startFleet, startNatsServer, until, type Fleet, type NatsServer } from '../harness/index.js';
import { after, before, describe, test } from '../harness/skip.js';
import { chromiumPath, launchChromium, startWebConsole, type Browser, type WebConsole } from '../harness/web.js';

type Page = Awaited<ReturnType<Browser['newPage']>>;

const pluginDir = '/usr/lib/nagios/plugins';
const shots = join(repoRoot, 'docs/web');
const hostile = '<img src=x onerror=window.__pwned=1>';

function missing(): string | undefined {
  const need = [chromiumPath, join(pluginDir, 'check_dummy'), join(repoRoot, 'packages/web/dist/ui/index.html')];
  const gone = need.filter((p) => !existsSync(p));
  if (gone.length === 0) return undefined;
  const why = `missing ${gone.join(', ')}: apt-get install chromium monitoring-plugins-basic, and pnpm -s build`;
  if (process.env['CI']) throw new Error(why);
  return why;
}

// Each node's NRPE check: web1 OK, web2 WARNING, db1 CRITICAL with a hostile message.
const nodes = [
  { identity: 'web1', state: 0, text: 'all fine', facts: { role: 'web', os: 'debian', motd: hostile, [hostile]: '<script>window.__pwned=2</script>' }, classes: ['web', 'nrpe'] },
  { identity: 'web2', state: 1, text: 'load is high', facts: { role: 'web', os: 'debian' }, classes: ['web', 'nrpe'] },
  { identity: 'db1', state: 2, text: `${hostile} disk is full`, facts: { role: 'db', os: 'ubuntu' }, classes: ['db', 'nrpe'] },
];

const why = missing();

describe('web console page in headless Chromium', { skip: why ?? false }, () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let web: WebConsole | undefined;
  let base: string;
  let browser: Browser;
  const cspViolations: string[] = [];

  before(async () => {
    if (why) return;
    mkdirSync(shots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'cohort-web-page-'));
    nats = await startNatsServer({ jetstream: true });
    for (const n of nodes) {
      mkdirSync(join(dir, n.identity, 'nrpe.d'), { recursive: true });
      writeFileSync(join(dir, n.identity, 'nrpe.cfg'), 'command_timeout=5\n');
      writeFileSync(join(dir, n.identity, 'nrpe.d', 'checks.cfg'), `command[check_state]=${pluginDir}/check_dummy ${n.state} "${n.text}"\n`);
    }
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir,
      pluginDirs: [],
      nodes: nodes.map((n) => ({ identity: n.identity, facts: n.facts, classes: n.classes })),
      config: {
        nrpe: { conf_file: 'nrpe.cfg', conf_dir: 'nrpe.d' },
        // A check on each node from its NRPE command (db1's output is hostile), and a mine value (web1's is hostile).
        checks: { disk: { nrpe: 'check_state', interval: '5s', retries: 1, splay: false } },
        mine: { motd: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'motd' }, interval: '1m', splay: false } },
      },
      secure: true,
      registry: true,
    });
    // The console: a client config trusting the fleet's issuer, an admin signing with the operator key, a watcher.
    const clientConfig = join(dir, 'web-client.yaml');
    // nrpe's results template (a plugin may ship one): hostile on purpose, it must stay inert in its sandboxed frame.
    const templates = join(dir, 'templates');
    mkdirSync(templates);
    writeFileSync(
      join(templates, 'nrpe.results.mustache'),
      [
        '<h3>NRPE {{action}} on {{replies.length}} nodes</h3>',
        "<script>document.body.dataset.ran = 'script'</script>",
        '<img src="x" onerror="document.body.dataset.ran = \'img\'">',
        '<ul>{{#replies}}<li class="node">{{identity}}: exit {{data.exitcode}}, {{data.output}}</li>{{/replies}}</ul>',
      ].join('\n'),
    );
    writeFileSync(clientConfig, yaml.dump({ collective: 'cohort', nats: { servers: [nats.url] }, issuers: [fleet.issuer], discovery_timeout: 2, ddl_dirs: [templates] }));
    const port = await freePort();
    const webConfig = join(dir, 'web.yaml');
    writeFileSync(webConfig, yaml.dump({ listen: `127.0.0.1:${port}`, client_config: clientConfig }));
    const env = { COHORT_CONFIG: clientConfig };
    const add = async (args: string[], password: string) => {
      const r = await cohort(['web', ...args, '--config', webConfig], { input: `${password}\n`, env });
      assert.equal(r.code, 0, `cohort web ${args.join(' ')}: ${r.stderr}`);
    };
    await add(['useradd', 'alice', '--role', 'admin', '--key', join(fleet.dir, 'security', 'operator.key')], 'alice-secret-pw');
    await add(['useradd', 'wendy', '--role', 'watcher'], 'wendy-secret-pw');
    web = await startWebConsole(webConfig, port, env);
    base = web.base;
    browser = await launchChromium();
  });

  after(async () => {
    if (why) return;
    await browser?.close();
    await web?.stop();
    for (const n of fleet?.nodes.values() ?? []) n.process.kill('SIGCONT');
    await fleet?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function login(user: string, password: string, shot?: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m: { text(): string }) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(base);
    await page.locator('#login-form').waitFor();
    await page.fill('input[name=user]', user);
    await page.fill('input[name=password]', password);
    if (shot) await page.screenshot({ path: join(shots, shot) });
    await page.click('#login-form button[type=submit]');
    await page.locator('#who').waitFor();
    return page;
  }

  async function inert(page: Page, where: string): Promise<void> {
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined, `${where}: injected script ran`);
    assert.equal(await page.locator('#app img').count(), 0, `${where}: an <img> was injected`);
    assert.equal(await page.locator('#app script').count(), 0, `${where}: a <script> was injected`);
  }

  async function finished(page: Page): Promise<string> {
    await page.locator('#results[data-state=done]').waitFor({ timeout: 60_000 });
    return (await page.locator('#results').getAttribute('data-job')) ?? '';
  }

  test('admin: fleet grouped by class and fact, a search, node detail with hostile facts shown as text', async () => {
    const page = await login('alice', 'alice-secret-pw', 'login.png');
    // Reported, not asserted (timings go to benches): how long the first load took on loopback.
    const load = await page.evaluate(() => {
      const nav = (performance.getEntriesByType('navigation' as never) as unknown as Array<{ domContentLoadedEventEnd: number; loadEventEnd: number; transferSize: number }>)[0];
      return nav ? { domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd), loadMs: Math.round(nav.loadEventEnd), bytes: nav.transferSize } : undefined;
    });
    console.log(`# first page load on loopback: ${JSON.stringify(load)}`);
    await until('three nodes in the fleet', async () => (await page.locator('#nodes > tbody > tr').count()) === 3, { timeoutMs: 30_000 });
    // Check states arrive as the nodes run their checks; the list polls on reload.
    await until(
      'the check states of all three nodes',
      async () => {
        if ((await page.locator('#nodes .badge').count()) === 3) return true;
        await page.click('#fleet-search button[type=submit]');
        return false;
      },
      { timeoutMs: 60_000, everyMs: 1000 },
    );
    assert.match(await page.locator('#nodes tr[data-identity=db1]').innerText(), /CRITICAL/);
    assert.match(await page.locator('#nodes tr[data-identity=web2]').innerText(), /WARNING/);
    const groups = await page.locator('#groups').innerText();
    assert.match(groups, /web\s*2/);
    assert.match(groups, /db\s*1/);
    await page.screenshot({ path: join(shots, 'fleet.png') });
    await page.fill('#fleet-search input[name=filter]', 'role=db');
    await page.click('#fleet-search button[type=submit]');
    await until('the search to leave db1', async () => (await page.locator('#nodes > tbody > tr').count()) === 1, { timeoutMs: 15_000 });
    assert.equal(await page.locator('#nodes > tbody > tr').first().getAttribute('data-identity'), 'db1');
    await page.goto(`${base}/#/node/web1`);
    await page.locator('#node-detail').waitFor();
    await until(
      "web1's mine value",
      async () => {
        if ((await page.locator('#node-mine').innerText()).includes('motd')) return true;
        await page.reload();
        await page.locator('#node-detail').waitFor();
        return false;
      },
      { timeoutMs: 90_000, everyMs: 1000 },
    );
    const text = await page.locator('#node-detail').innerText();
    assert.match(await page.locator('#node-checks').innerText(), /disk\s+OK/);
    assert.ok((await page.locator('#node-mine').innerText()).includes(hostile), 'the hostile mine value is shown, as text');
    assert.ok(text.includes(hostile), 'the hostile fact value is shown, as text');
    assert.ok(text.includes('<script>window.__pwned=2</script>'));
    await inert(page, 'node detail');
    await page.screenshot({ path: join(shots, 'node.png'), fullPage: true });
    await page.goto(`${base}/#/node/db1`);
    await until('db1 critical check with its hostile output', async () => /CRITICAL/.test(await page.locator('#node-checks').innerText().catch(() => '')), { timeoutMs: 15_000 });
    assert.ok((await page.locator('#node-detail').innerText()).includes(hostile));
    await inert(page, 'db1 detail');
    await page.close();
  });

  test('admin: rpcutil ping from the generated form streams three replies', async () => {
    const page = await login('alice', 'alice-secret-pw');
    await page.click('#tab-run');
    await page.locator('select[name=agent]').selectOption('rpcutil');
    await page.locator('select[name=action]').selectOption('ping');
    await until('the live count of 3 nodes', async () => /3 nodes/.test(await page.locator('#count').innerText()), { timeoutMs: 15_000 });
    await page.click('#run');
    await finished(page);
    assert.equal(await page.locator('#replies > tbody > tr.ok').count(), 3);
    await page.screenshot({ path: join(shots, 'run-ping.png') });
    // Only the listed node, within the filter.
    await page.click('#tab-run');
    await page.locator('select[name=action]').selectOption('ping');
    await page.fill('input[name=nodes]', 'web2');
    await page.click('#run');
    await finished(page);
    assert.deepEqual(await page.locator('#replies > tbody > tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-identity'))), ['web2']);
    await page.close();
  });

  test('admin: nrpe runcommand form validates like the CLI, then shows failed nodes and the Nagios summary; hostile output is inert', async () => {
    const page = await login('alice', 'alice-secret-pw');
    await page.goto(`${base}/#/run/nrpe`);
    await page.locator('select[name=action]').selectOption('runcommand');
    await page.fill('input[name=command]', 'not a command!');
    await until('the CLI validator message on the command field', async () => /must match the regular expression/.test(await page.locator('[data-field=command]').innerText()), { timeoutMs: 15_000 });
    await page.fill('input[name=command]', 'check_state');
    await page.fill('input[name=filter]', 'nrpe');
    await until('the validation message to clear', async () => (await page.locator('[data-field=command] .field-error').count()) === 0, { timeoutMs: 15_000 });
    await page.screenshot({ path: join(shots, 'run-form.png') });
    await page.click('#run');
    await finished(page);
    const summary = await page.locator('#summaries').innerText();
    assert.match(summary, /OK\s+1/);
    assert.match(summary, /WARNING\s+1/);
    assert.match(summary, /CRITICAL\s+1/);
    // display: failed: web1's OK reply is hidden until asked for.
    assert.equal(await page.locator('#replies > tbody > tr[data-identity=web1]').count(), 0);
    assert.equal(await page.locator('#replies > tbody > tr[data-identity=db1]').count(), 1);
    assert.ok((await page.locator('#replies tr[data-identity=db1]').innerText()).includes(hostile));
    // The plugin's results template, in a sandboxed frame: rendered, values escaped, its script and handler never run.
    const frame = await (await page.locator('#results-template').elementHandle())?.contentFrame();
    assert.ok(frame, 'the results template frame');
    await until('the template to render', async () => (await frame.locator('li.node').count()) === 3, { timeoutMs: 15_000 });
    assert.ok((await frame.locator('body').innerText()).includes(`db1: exit 2, CRITICAL: ${hostile} disk is full`));
    assert.equal(await frame.locator('li img').count(), 0, 'a hostile output became an element inside the template');
    assert.equal(await frame.evaluate(() => (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset['ran']), undefined);
    await page.screenshot({ path: join(shots, 'results-nrpe.png'), fullPage: true });
    await page.click('#show-all');
    assert.equal(await page.locator('#replies > tbody > tr[data-identity=web1]').count(), 1);
    await inert(page, 'nrpe results');
    await page.close();
  });

  test('admin: a stopped node does not reply; one click retries it once it is back', async () => {
    const page = await login('alice', 'alice-secret-pw');
    const db1 = fleet.nodes.get('db1');
    assert.ok(db1);
    db1.process.kill('SIGSTOP');
    let first = '';
    try {
      await page.goto(`${base}/#/run/rpcutil`);
      await page.locator('select[name=action]').selectOption('ping');
      await page.click('#run');
      first = await finished(page);
      assert.equal(await page.locator('#replies tr.noreply[data-identity=db1]').count(), 1);
      assert.match(await page.locator('#retry').innerText(), /Retry 1 failed/);
      await page.screenshot({ path: join(shots, 'retry.png') });
    } finally {
      db1.process.kill('SIGCONT');
    }
    await page.click('#retry');
    await until('the retry job to open', async () => ((await page.locator('#results').getAttribute('data-job')) ?? first) !== first, { timeoutMs: 15_000 });
    await finished(page);
    assert.equal(await page.locator('#replies > tbody > tr.ok[data-identity=db1]').count(), 1);
    assert.equal(await page.locator('#replies > tbody > tr').count(), 1, 'the retry went to db1 only');
    await page.close();
  });

  test('admin: the jobs list shows who ran what; a job opens with its replies; statistics, plugins and add machines render', async () => {
    const page = await login('alice', 'alice-secret-pw');
    await page.click('#tab-jobs');
    await until('the jobs run so far', async () => (await page.locator('#jobs > tbody > tr').count()) >= 4, { timeoutMs: 15_000 });
    assert.match(await page.locator('#jobs').innerText(), /alice\s+nrpe runcommand/);
    await page.screenshot({ path: join(shots, 'jobs.png') });
    await page.locator('#jobs > tbody > tr', { hasText: 'nrpe runcommand' }).locator('a').first().click();
    const job = await finished(page);
    assert.match(await page.locator('#summaries').innerText(), /CRITICAL\s+1/);
    await inert(page, 'job from history');
    await page.click('#tab-stats');
    await page.locator('#no-metrics').waitFor();
    await page.screenshot({ path: join(shots, 'stats.png') });
    await page.click('#tab-plugins');
    await until('the plugins table', async () => /nrpe/.test(await page.locator('#plugins').innerText()), { timeoutMs: 15_000 });
    await page.screenshot({ path: join(shots, 'plugins.png') });
    await page.click('#tab-install');
    await page.locator('#install').waitFor();
    await page.screenshot({ path: join(shots, 'install.png') });
    await page.close();
  });

  test('watcher: sees the fleet and jobs, no run controls, and a direct POST is refused', async () => {
    const page = await login('wendy', 'wendy-secret-pw');
    assert.equal(await page.locator('#tab-run').count(), 0);
    await page.click('#tab-jobs');
    await until('the job history', async () => (await page.locator('#jobs > tbody > tr').count()) >= 1, { timeoutMs: 15_000 });
    // A job with failed nodes: an admin would see the retry button here, a watcher does not.
    await page.locator('#jobs > tbody > tr', { hasText: 'nrpe runcommand' }).locator('a').first().click();
    const job = await finished(page);
    assert.match(await page.locator('#tally').innerText(), /2 failed/);
    assert.equal(await page.locator('#retry').count(), 0);
    await page.screenshot({ path: join(shots, 'watcher.png') });
    await page.goto(`${base}/#/run`);
    assert.equal(await page.locator('#run-form').count(), 0);
    // What the page never offers a watcher, asked for directly with a valid session and CSRF token.
    const statuses = await page.evaluate(async (id) => {
      const s = (await (await fetch('/api/session')).json()) as { csrf: string };
      // (No named helper functions in here: the test's compiler would wrap them in a helper the page does not have.)
      const asks: Array<[string, unknown]> = [
        ['/api/run', { agent: 'rpcutil', action: 'ping', inputs: {} }],
        [`/api/jobs/${encodeURIComponent(id)}/retry`, {}],
      ];
      const out: number[] = [];
      for (const [path, body] of asks) {
        out.push((await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: JSON.stringify(body) })).status);
      }
      return out;
    }, job);
    assert.deepEqual(statuses, [403, 403]);
    await page.close();
  });

  test('no Content Security Policy violation on any page', () => {
    assert.deepEqual(cspViolations, []);
  });
});
