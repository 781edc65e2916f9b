// The node's own mine functions: the config file's mine: section and the
// drop-in directory, re-read on change; when the kernel refuses a watch
// (inotify instances used up on a busy machine) the files are compared
// every 2 s instead, so a change still applies without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, type watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@cohort/core/log';
import { LocalMineSources } from '@cohort/server';

async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function setup(watchFn?: typeof watch) {
  const dir = mkdtempSync(join(tmpdir(), 'mine-local-'));
  const dropins = join(dir, 'mine.d');
  mkdirSync(dropins);
  const config = join(dir, 'server.yaml');
  writeFileSync(config, 'mine:\n  a: { agent: rpcutil, action: ping, interval: 60s }\nmine_dir: mine.d\n');
  writeFileSync(join(dropins, 'b.yaml'), 'b: { command: [/bin/true], interval: 5m }\na: { command: [/bin/false], interval: 1m }\n');
  writeFileSync(join(dropins, 'bad.yaml'), 'c: { command: [/bin/true] }\n');
  let latest: string[] = [];
  const sources = new LocalMineSources({
    configFile: config,
    settings: { mine: { a: { agent: 'rpcutil', action: 'ping', interval: '60s' } }, mine_dir: dropins },
    log: silentLogger(),
    onChange: (fns) => (latest = fns.map((f) => `${f.name}:${f.intervalMs / 1000}:${f.source.startsWith('drop-in') ? 'drop-in' : f.source}`).sort()),
    ...(watchFn ? { watch: watchFn } : {}),
  });
  return { dir, dropins, config, sources, latest: () => latest };
}

test('config first, then drop-ins in name order; a duplicate name and a bad function are left out', () => {
  const s = setup();
  const fns = s.sources.start();
  assert.deepEqual(fns.map((f) => `${f.name}:${f.kind}:${f.source.startsWith('drop-in') ? 'drop-in' : f.source}`), ['a:action:config', 'b:command:drop-in']);
  s.sources.close();
});

test('when the kernel refuses every watch, a new drop-in and a changed interval are still picked up', async () => {
  const refusing = (() => {
    throw Object.assign(new Error('EMFILE: too many open files, watch'), { code: 'EMFILE' });
  }) as unknown as typeof watch;
  const s = setup(refusing);
  s.sources.start();
  writeFileSync(join(s.dropins, 'new.yaml'), 'n: { agent: rpcutil, action: ping, interval: 7s }\n');
  await until(() => s.latest().includes('n:7:drop-in'));
  writeFileSync(s.config, 'mine:\n  a: { agent: rpcutil, action: ping, interval: 30s }\nmine_dir: mine.d\n');
  await until(() => s.latest().includes('a:30:config'));
  s.sources.close();
});
