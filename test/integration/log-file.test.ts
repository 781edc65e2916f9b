// cohortd logging to a file rotated by size (logging.file, max_size,
// max_files: winston's File transport, loaded only then): with a tiny
// max_size and bursts of requests, the file rotates many times, and the live
// file plus its archives hold every line once, whole and in order. Once with
// the workspace's cohortd (bin/cohortd.cjs and its bundle), once with the
// Debian package's bundle (scripts/package/bundle.mjs, as build-deb.mjs makes
// it: winston's File transport in a chunk beside it, no node_modules).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connect, type NatsConnection } from 'nats';
import yaml from 'js-yaml';
import { decodeReply, encode, nodeSubject } from '@cohort/core';
import { examplePluginDir, repoRoot, startFleet, startNatsServer, until, waitForSubscriptions, type Fleet, type NatsServer } from '../harness/index.js';
import { testRequest } from '../harness/messages.js';

const burst = 10;
let nats: NatsServer;
let nc: NatsConnection;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cohort-log-file-'));
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});
after(async () => {
  await nc?.close();
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The logging section: debug (the echo agent logs every call at debug, "echo from ... length=N"), 1 KiB (the smallest size the setting takes). */
const logging = (file: string, maxFiles: number) => ({ level: 'debug', format: 'text', file, max_size: '1KiB', max_files: maxFiles });

/** `requests` echo calls to `identity` in bursts of 10 (each published before the first reply), so lines keep coming while winston rotates. */
async function echoBursts(identity: string, requests: number): Promise<void> {
  const replies = new Set<number>();
  for (let first = 1; first <= requests; first += burst) {
    for (let n = first; n < first + burst; n++) {
      const req = testRequest({ agent: 'echo', action: 'echo', data: { message: 'x'.repeat(n) } });
      nc.subscribe(req.reply_to, { max: 1, callback: (_e, m) => (decodeReply(m.data).statuscode === 0 ? replies.add(n) : undefined) });
      await nc.flush();
      nc.publish(nodeSubject('cohort', identity), encode(req));
    }
    await until(`${first + burst - 1} echo replies`, () => replies.size === first + burst - 1, { timeoutMs: 60_000, everyMs: 20 });
  }
}

/** The log in `logDir` (cohortd.log and its archives cohortd1.log, newest, ... cohortdN.log, oldest): rotated, nothing deleted, every line whole, one echo line per request, in time order. */
function checkLog(logDir: string, requests: number, maxFiles: number, minArchives: number): void {
  const files = readdirSync(logDir);
  const archives = files.filter((f) => /^cohortd\d+\.log$/.test(f)).map((f) => Number(/\d+/.exec(f)![0])).sort((a, b) => b - a);
  assert.deepEqual([...files].sort(), ['cohortd.log', ...archives.map((n) => `cohortd${n}.log`)].sort(), 'only the live file and numbered archives');
  assert.ok(archives.length >= minArchives, `rotated at least ${minArchives} times (archives: ${archives.length})`);
  assert.ok(archives.length < maxFiles - 1, 'no archive was deleted (max_files not reached)');
  assert.deepEqual(archives, Array.from({ length: archives.length }, (_, i) => archives.length - i), 'archives numbered 1..N without gaps');

  const text = [...archives.map((n) => `cohortd${n}.log`), 'cohortd.log'].map((f) => readFileSync(join(logDir, f), 'utf8'));
  for (const t of text) assert.ok(t === '' || t.endsWith('\n'), 'every file ends with a whole line');
  const lines = text.join('').split('\n').slice(0, -1);
  const torn = lines.filter((l) => !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (ERROR|WARN |INFO |DEBUG) (\[[^\]]+\] )?\S.*$/.test(l));
  assert.deepEqual(torn, [], 'every line is a whole text line');
  const echoed = lines.map((l) => / echo from user=test length=(\d+)$/.exec(l)).filter((m) => m !== null).map((m) => Number(m[1]));
  assert.equal(echoed.length, requests, 'one line per request');
  assert.deepEqual([...new Set(echoed)].sort((a, b) => a - b), Array.from({ length: requests }, (_, i) => i + 1), 'every request logged once');
  const stamps = lines.map((l) => l.slice(0, 24));
  assert.deepEqual(stamps, [...stamps].sort(), 'oldest archive first, live file last: the lines in time order');
  assert.match(lines.at(-1)!, / INFO  stopped total=\d+/, 'the last line, logged on the way out, is in the file');
}

test('the workspace cohortd: a log file with a tiny max_size rotates, and no line is lost or torn', async () => {
  const identity = 'logger.example.com';
  const requests = 300;
  const maxFiles = 60;
  const logDir = join(dir, 'workspace', 'log');
  let fleet: Fleet | undefined;
  try {
    fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes: [{ identity, facts: {}, classes: [] }], config: { logging: logging(join(logDir, 'cohortd.log'), maxFiles) } });
    await echoBursts(identity, requests);
    // SIGTERM: a graceful stop closes the logger, which waits until every line is in the file.
    await fleet.kill(identity, 'SIGTERM');
    const node = fleet.nodes.get(identity)!;
    assert.equal(node.process.exitCode, 0, node.log());
    assert.equal(node.log(), '', 'nothing on stderr');
  } finally {
    await fleet?.stop();
  }
  checkLog(logDir, requests, maxFiles, 10);
});

test("the Debian package's cohortd: winston's File transport from its file beside the bundle", async () => {
  const identity = 'packaged.example.com';
  const requests = 100;
  const maxFiles = 30;
  // The package's layout (build-deb.mjs): share/lib/bin/cohortd.cjs (the workspace's loader as it is) and, at
  // ../dist/cohortd.bundle.cjs from it, the CommonJS bundle with its lazily required files beside it; the DDLs in
  // share/ddl; no node_modules above.
  const share = join(dir, 'share');
  const loader = join(share, 'lib', 'bin', 'cohortd.cjs');
  const outfile = join(share, 'lib', 'dist', 'cohortd.bundle.cjs');
  mkdirSync(dirname(loader), { recursive: true });
  cpSync(join(repoRoot, 'packages/server/bin/cohortd.cjs'), loader);
  const { bundleDaemon } = (await import(pathToFileURL(join(repoRoot, 'scripts/package/bundle.mjs')).href)) as {
    bundleDaemon(o: { source: string; sourcefile: string; outfile: string }): Promise<{ bytes: number; text: string }>;
  };
  const { text } = await bundleDaemon({ sourcefile: 'cohortd-entry.js', outfile, source: "export { main } from './packages/server/dist/main.js';\n" });
  assert.ok(!text.includes('_checkMaxFilesTailable'), 'winston is not inside the bundle');
  const beside = readdirSync(dirname(outfile));
  assert.ok(beside.some((f) => f.startsWith('lazy-winston') && statSync(join(dirname(outfile), f)).size > 10_000), beside.join(', '));
  cpSync(join(repoRoot, 'ddl'), join(share, 'ddl'), { recursive: true });

  const logDir = join(dir, 'packaged', 'log');
  const configFile = join(dir, 'packaged', 'server.yaml');
  mkdirSync(join(dir, 'packaged'), { recursive: true });
  writeFileSync(configFile, yaml.dump({ identity, nats: { servers: [nats.url] }, plugin_dirs: [examplePluginDir], security: { mode: 'unsigned' }, logging: logging(join(logDir, 'cohortd.log'), maxFiles) }));
  const child = spawn(process.execPath, [loader, '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_PATH: '' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitForSubscriptions(nats.monitorPort, [identity], 120_000);
    await echoBursts(identity, requests);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
  assert.equal(stderr, '', 'nothing on stderr');
  checkLog(logDir, requests, maxFiles, 3);
  assert.ok(!existsSync(join(share, 'node_modules')) && !existsSync(join(dir, 'node_modules')));
});
