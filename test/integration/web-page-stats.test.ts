// The Statistics page in real headless Chromium over a real Graphite: a
// cohortd pushes its metrics to Debian's carbon-cache, graphite-web's render
// API answers `cohort web` (graphite_url), and the page draws the series with
// uPlot under the console's CSP. Screenshot: docs/web/stats-chart.png.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { graphiteMissing, startGraphite, type Graphite } from '../harness/graphite.js';
import { cohort, freePort, repoRoot, startFleet, startNatsServer, until, type Fleet, type NatsServer } from '../harness/index.js';
import { after, before, describe, test } from '../harness/skip.js';
import { chromiumPath, launchChromium, startWebConsole, type Browser, type WebConsole } from '../harness/web.js';


const identity = 'stats1';

function missing(): string | undefined {
  const graphite = graphiteMissing();
  if (graphite) return graphite;
  const need = [chromiumPath, join(repoRoot, 'packages/web/dist/ui/index.html')].filter((p) => !existsSync(p));
  if (need.length === 0) return undefined;
  const why = `missing ${need.join(', ')}: apt-get install chromium, and pnpm -s build`;
  if (process.env['CI']) throw new Error(why);
  return why;
}
const why = missing();

describe('web console statistics page over a real Graphite', { skip: why ?? false }, () => {
  let dir: string;
  let graphite: Graphite;
  let nats: NatsServer;
  let fleet: Fleet;
  let web: WebConsole | undefined;
  let base: string;
  let browser: Browser;
  const cspViolations: string[] = [];

  before(async () => {
    if (why) return;
    dir = mkdtempSync(join(tmpdir(), 'cohort-web-page-stats-'));
    graphite = await startGraphite(dir);
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir: join(dir, 'fleet'),
      registry: true,
      nodes: [{ identity, facts: { role: 'metrics' }, classes: [] }],
      config: { metrics: { interval: 1, graphite: { carbon: graphite.carbon, interval: 1, prefix: 'cohort' } } },
    });
    const port = await freePort();
    const webConfig = join(dir, 'web.yaml');
    writeFileSync(webConfig, yaml.dump({ listen: `127.0.0.1:${port}`, client_config: fleet.clientEnv['COHORT_CONFIG'], graphite_url: graphite.url }));
    const env = { COHORT_CONFIG: fleet.clientEnv['COHORT_CONFIG'] ?? '' };
    const added = await cohort(['web', 'useradd', 'wendy', '--role', 'watcher', '--config', webConfig], { input: 'wendy-secret-pw\n', env });
    assert.equal(added.code, 0, added.stderr);
    web = await startWebConsole(webConfig, port, env);
    base = web.base;
    browser = await launchChromium();
  });

  after(async () => {
    if (why) return;
    await browser?.close();
    await web?.stop();
    await fleet?.stop();
    await nats?.stop();
    await graphite?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a node's memory metrics drawn from Graphite, under the CSP", { timeout: 300_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    page.on('console', (m: { text(): string }) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(base);
    await page.fill('input[name=user]', 'wendy');
    await page.fill('input[name=password]', 'wendy-secret-pw');
    await page.click('#login-form button[type=submit]');
    await page.locator('#who').waitFor();
    await page.click('#tab-stats');
    await page.fill('input[name=identity]', identity);
    await page.fill('input[name=metric]', 'memory.used_pct');
    await page.locator('select[name=from]').selectOption('-15min');
    // The node pushes every second into 15 s slots; carbon writes, graphite-web reads: wait for a line's worth of points (three), then draw.
    await until(
      'three points of memory.used_pct for stats1',
      async () =>
        (await page.evaluate(async (q) => {
          const r = await fetch(`/api/stats?${q}`);
          if (r.status !== 200) return 0;
          const body = (await r.json()) as { series: Array<{ points: Array<[number, number | null]> }> };
          return body.series[0]?.points.filter(([, v]) => v !== null).length ?? 0;
        }, `identity=${identity}&metric=memory.used_pct&from=-15min`)) >= 3,
      { timeoutMs: 240_000, everyMs: 2000, log: () => graphite.log() + (web?.log() ?? '') },
    );
    await page.click('form.toolbar button[type=submit]');
    await page.locator('#chart canvas').waitFor();
    const legend = await page.locator('#chart').innerText();
    assert.ok(legend.includes(`cohort.${identity}.memory.used_pct`), legend);
    await page.screenshot({ path: join(repoRoot, 'docs/web/stats-chart.png') });
    assert.deepEqual(cspViolations, []);
    await page.close();
  });
});
