#!/usr/bin/env node
// The web console page under a 1,000-node run (issue 20's target: the page does
// not freeze, the table is complete within 500 ms of the last reply).
// A private JetStream nats-server, cohort-sim with N virtual nodes (registered,
// certified by the bench issuer), the real `cohort web`, and headless Chromium
// (Debian's chromium, driven by playwright-core) running rpcutil ping from the
// page's form. In the page: when the last `reply` event arrived, when the
// page had counted every reply (and built the first rows), and the longest gap between animation frames while
// replies streamed in (a frozen page shows as a long gap).
//   node scripts/bench/web-page.mjs [--nodes 1000] [--runs 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { cohortBin, freePort, repoRoot, startNatsServer } from '../harness.mjs';
import { startSim } from './fleet.mjs';
import { benchIssuer } from './trust.mjs';
import { loadAverage, median } from './util.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const nodes = arg('nodes', 1000);
const runs = arg('runs', 3);
const chromium = '/usr/bin/chromium';

const dir = mkdtempSync(join(tmpdir(), 'cohort-bench-web-'));
const nats = await startNatsServer({ jetstream: true });
const sim = await startSim(nats.url, nodes, 500);
const clientConfig = join(dir, 'client.yaml');
writeFileSync(clientConfig, yaml.dump({ collective: 'cohort', nats: { servers: [nats.url] }, issuers: [benchIssuer().publicFile], discovery_timeout: 2 }));
const port = await freePort();
const webConfig = join(dir, 'web.yaml');
// The simulated nodes run unsigned: the admin has no key.
writeFileSync(webConfig, yaml.dump({ listen: `127.0.0.1:${port}`, client_config: clientConfig, require_signing: false }));
const env = { ...process.env, COHORT_CONFIG: clientConfig };
await new Promise((resolve, reject) => {
  const c = spawn(process.execPath, [cohortBin, 'web', 'useradd', 'bench', '--role', 'admin', '--config', webConfig], { env, stdio: ['pipe', 'inherit', 'inherit'] });
  c.on('exit', (code) => (code === 0 ? resolve(undefined) : reject(new Error(`useradd exited ${code}`))));
  c.stdin.end('bench-password\n');
});
const web = spawn(process.execPath, [cohortBin, 'web', '--config', webConfig, '--log-level', 'warn'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  const r = await fetch(`${base}/api/session`).catch(() => undefined);
  if (r?.status === 401) break;
  if (i > 600) throw new Error('cohort web did not start');
  await new Promise((r) => setTimeout(r, 100));
}

const pw = createRequire(join(repoRoot, 'packages/web/package.json'))('playwright-core');
const browser = await pw.chromium.launch({
  executablePath: chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const results = [];
try {
  for (let run = 0; run < runs; run++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(() => {
      const w = /** @type {any} */ (window);
      const Native = w.EventSource;
      w.__bench = { replies: 0, firstReply: 0, lastReply: 0, longestGap: 0, longestTask: 0 };
      // Main-thread tasks over 50 ms while replies stream: the page's own work (a frame gap can also be a starved CPU).
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (w.__bench.replies > 0) w.__bench.longestTask = Math.max(w.__bench.longestTask, e.duration);
      }).observe({ type: 'longtask', buffered: false });
      w.EventSource = class extends Native {
        constructor(url) {
          super(url);
          this.addEventListener('reply', () => {
            const now = performance.now();
            if (w.__bench.replies++ === 0) w.__bench.firstReply = now;
            w.__bench.lastReply = now;
          });
        }
      };
      let prev = performance.now();
      const tick = () => {
        const now = performance.now();
        if (w.__bench.replies > 0 && w.__bench.replies < Infinity) w.__bench.longestGap = Math.max(w.__bench.longestGap, now - prev);
        prev = now;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.goto(base);
    const load = await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? -1));
    await page.fill('input[name=user]', 'bench');
    await page.fill('input[name=password]', 'bench-password');
    await page.click('#login-form button[type=submit]');
    await page.locator('#who').waitFor();
    await page.goto(`${base}/#/run/rpcutil`);
    await page.locator('select[name=action]').selectOption('ping');
    const clicked = await page.evaluate(() => performance.now());
    await page.click('#run');
    const r = await page.evaluate(
      (want) =>
        new Promise((resolve) => {
          const check = () => {
            // Every reply counted on the page (the table builds the first 200 rows; the rest on request).
            const rows = Number(document.querySelector('#results')?.getAttribute('data-replies'));
            if (rows >= want) {
              const b = /** @type {any} */ (window).__bench;
              const complete = performance.now();
              resolve({ rows, replies: b.replies, streamMs: Math.round(b.lastReply - b.firstReply), tableAfterLastReplyMs: Math.round(complete - b.lastReply), longestFrameGapMs: Math.round(b.longestGap), longestTaskMs: Math.round(b.longestTask), firstReplyAfterClickMs: 0, complete });
            } else requestAnimationFrame(check);
          };
          check();
        }),
      nodes,
    );
    const firstReply = await page.evaluate(() => /** @type {any} */ (window).__bench.firstReply);
    results.push({ ...r, firstReplyAfterClickMs: Math.round(firstReply - clicked), firstLoadMs: load });
    await page.close();
  }
} finally {
  await browser.close();
  web.kill('SIGTERM');
  await new Promise((r) => web.once('exit', r));
  await sim.stop();
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
}
const col = (k) => results.map((r) => r[k]);
console.log(`web page, ${nodes} nodes (cohort-sim), ${runs} runs, load average ${loadAverage()}`);
console.log('| run | replies | first reply after click ms | stream ms | table complete after last reply ms | longest frame gap ms | longest main-thread task ms | first page load ms |');
console.log('|---|---|---|---|---|---|---|---|');
results.forEach((r, i) => console.log(`| ${i + 1} | ${r.replies} | ${r.firstReplyAfterClickMs} | ${r.streamMs} | ${r.tableAfterLastReplyMs} | ${r.longestFrameGapMs} | ${r.longestTaskMs} | ${r.firstLoadMs} |`));
console.log(`| median | ${median(col('replies'))} | ${median(col('firstReplyAfterClickMs'))} | ${median(col('streamMs'))} | ${median(col('tableAfterLastReplyMs'))} | ${median(col('longestFrameGapMs'))} | ${median(col('longestTaskMs'))} | ${median(col('firstLoadMs'))} |`);
