// The web console for browser tests: `cohort web` started through the CLI bin
// (resolves once it answers), and Debian's headless Chromium driven by
// playwright-core (a dev dependency of packages/web), with the flags this
// machine's closed network needs.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cohortBin, repoRoot } from './fleet.js';
import { until } from './wait.js';

export type Playwright = typeof import('../../packages/web/node_modules/playwright-core/index.js');
export type Browser = Awaited<ReturnType<Playwright['chromium']['launch']>>;

export const chromiumPath = '/usr/bin/chromium';

/** Headless Chromium, as root, without background networking. */
export function launchChromium(): Promise<Browser> {
  const pw = createRequire(join(repoRoot, 'packages/web/package.json'))('playwright-core') as Playwright;
  return pw.chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface WebConsole {
  /** http://127.0.0.1:<port> */
  readonly base: string;
  log(): string;
  /** SIGTERM, resolved when the process has exited. */
  stop(): Promise<void>;
}

/** Start `cohort web --config webConfig` (listening on `port`, as the file says) and wait until /api/session answers. */
export async function startWebConsole(webConfig: string, port: number, env: Record<string, string>): Promise<WebConsole> {
  const web = spawn(process.execPath, [cohortBin, 'web', '--config', webConfig], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  web.stdout?.on('data', (d: Buffer) => (log += d));
  web.stderr?.on('data', (d: Buffer) => (log += d));
  const stop = async (): Promise<void> => {
    if (web.exitCode !== null || web.signalCode !== null) return;
    const exited = new Promise((r) => web.once('exit', r));
    web.kill('SIGTERM');
    await exited;
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await until('cohort web to answer', async () => (await fetch(`${base}/api/session`).catch(() => undefined))?.status === 401, { timeoutMs: 60_000, log: () => log, logName: 'cohort web' });
  } catch (err) {
    await stop();
    throw err;
  }
  return { base, log: () => log, stop };
}
