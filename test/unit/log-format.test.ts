import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger, type LogLevel } from '@cohort/core/log';

// The daemon's lines were written by winston until 7 December 2026; @cohort/core/log now writes them itself.
// The reference here is winston (a dependency of @cohort/core again, for log files: log-file.ts) set up as log.ts set it up then.
/** The part of winston's API used here (its types resolve from packages/core only). */
interface Winston {
  format: { printf(f: (info: Record<string, unknown>) => string): unknown; combine(...formats: unknown[]): unknown; timestamp(): unknown; json(): unknown };
  transports: { Stream: new (options: { stream: Writable }) => unknown };
  createLogger(options: { level: string; format: unknown; transports: unknown[] }): unknown;
}
const winston = createRequire(new URL('../../packages/core/package.json', import.meta.url))('winston') as Winston;

function winstonLogger(level: LogLevel, format: 'text' | 'json', stream: Writable): Logger {
  const textFormat = winston.format.printf((info) => {
    const { level, message, timestamp, ns, ...rest } = info;
    const extra = Object.keys(rest).filter((k) => typeof k === 'string' && !k.startsWith('Symbol'));
    const fields = extra.length ? ' ' + extra.map((k) => `${k}=${JSON.stringify(rest[k])}`).join(' ') : '';
    return `${String(timestamp)} ${String(level).toUpperCase().padEnd(5)} ${ns ? `[${String(ns)}] ` : ''}${String(message)}${fields}`;
  });
  const f = format === 'json' ? winston.format.combine(winston.format.timestamp(), winston.format.json()) : winston.format.combine(winston.format.timestamp(), textFormat);
  return winston.createLogger({ level, format: f, transports: [new winston.transports.Stream({ stream })] }) as unknown as Logger;
}

const circular: Record<string, unknown> = { name: 'loop' };
circular.self = circular;
// One Error for both loggers: its stack names the line it was made on.
const boom = Object.assign(new Error('boom'), { code: 'E_BOOM' });

/** Everything the daemon's code does with a logger, and the odd cases winston had rules for. */
function script(root: Logger): void {
  const agents = root.child({ ns: 'server:agents' });
  root.info('started');
  root.warn('no fields', undefined);
  root.error('plain error');
  root.debug('a debug line');
  root.info('');
  agents.warn("agent 'nrpe' not loaded: no NRPE configuration", { source: 'builtin' });
  agents.info('fields of every kind', { n: 3, f: 1.5, t: true, nil: null, missing: undefined, list: [1, 'two', { three: 3 }], nested: { b: 2, a: 1 }, text: 'quote " and \\ and \n newline' });
  agents.error('meta with a message', { message: 'more', code: 7 });
  agents.error('an Error as meta', boom);
  agents.info('meta overriding', { level: 'sneaky', ns: 'other:ns', timestamp: 'yesterday', zeta: 1, alpha: 2 });
  agents.warn('100%s of the %d meta is dropped', { dropped: true });
  agents.child({ ns: 'agent:puppet', sub: 'x' }).info('a child of a child', { k: 'v' });
  agents.child({ request: 'r1' }).debug('child without ns', { a: 1 });
  // JSON.stringify (the text format) throws on these; winston's JSON format writes them.
  if (format === 'json') root.info('a bigint and a circular reference', { big: 12n, circular } as object);
  root.warn('unicode: é ✓ 日本', { 'key with space': 'ü' });
}
let format: 'text' | 'json' = 'text';

/** Lines with every ISO timestamp replaced (the two loggers run a few ms apart). */
const normalise = (text: string): string[] => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TS').split('\n');

for (const f of ['text', 'json'] as const) {
  for (const level of ['error', 'warn', 'info', 'debug'] as const) {
    test(`the ${f} lines at level ${level} are the bytes winston wrote`, async () => {
      format = f;
      const chunks: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(String(chunk));
          done();
        },
      });
      script(winstonLogger(level, f, stream));

      const mine: string[] = [];
      const write = process.stderr.write;
      process.stderr.write = ((chunk: string) => (mine.push(String(chunk)), true)) as typeof process.stderr.write;
      try {
        script(createLogger({ level, format: f }));
      } finally {
        process.stderr.write = write;
      }
      // winston delivers through object streams: wait (by turns of the event loop, not by time) for its lines.
      for (let i = 0; i < 1000 && chunks.length < mine.length; i++) await new Promise((r) => setImmediate(r));
      assert.ok(mine.length > 0 || level === 'error');
      assert.deepEqual(normalise(mine.join('')), normalise(chunks.join('')));
    });
  }
}

// A log file is written by winston's File transport (log-file.ts): the same bytes as the stderr writer's.
for (const f of ['text', 'json'] as const) {
  test(`the ${f} lines in a log file (winston's File transport) are the bytes written to stderr`, async () => {
    format = f;
    const dir = mkdtempSync(join(tmpdir(), 'cohort-log-'));
    try {
      const onStderr: string[] = [];
      const write = process.stderr.write;
      process.stderr.write = ((chunk: string) => (onStderr.push(String(chunk)), true)) as typeof process.stderr.write;
      try {
        script(createLogger({ level: 'debug', format: f }));
      } finally {
        process.stderr.write = write;
      }
      const file = join(dir, 'cohortd.log');
      const toFile = createLogger({ level: 'debug', format: f, file, maxSize: 1024 * 1024, maxFiles: 2 });
      script(toFile);
      await toFile.close();
      const inFile = readFileSync(file, 'utf8');
      assert.ok(onStderr.length > 10);
      assert.deepEqual(normalise(inFile), normalise(onStderr.join('')));
      assert.ok(inFile.endsWith('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a log file rotates at maxSize: the live file keeps its name, archives are numbered, maxFiles counts them all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-log-'));
  try {
    const file = join(dir, 'cohortd.log');
    const log = createLogger({ file, maxSize: 1024, maxFiles: 3 });
    // Every line on its own turn of the event loop (as a daemon logs), so that winston rotates between them.
    for (let n = 1; n <= 60; n++) {
      log.info(`line ${String(n).padStart(3, '0')} ${'x'.repeat(60)}`);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 1));
    }
    await log.close();
    assert.deepEqual(readdirSync(dir).sort(), ['cohortd.log', 'cohortd1.log', 'cohortd2.log']);
    const numbers = (name: string) => [...readFileSync(join(dir, name), 'utf8').matchAll(/ line (\d+) /g)].map((m) => Number(m[1]));
    const kept = [...numbers('cohortd2.log'), ...numbers('cohortd1.log'), ...numbers('cohortd.log')];
    assert.ok(kept.length > 0 && kept.at(-1) === 60, 'the newest line is in the live file');
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => 60 - kept.length + 1 + i), 'oldest archive first: consecutive lines up to the last');
    assert.ok(kept.length < 60, 'the oldest lines went with the deleted archives');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('winston is loaded for a log file only, never for stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-log-'));
  try {
    const log = new URL('../../packages/core/dist/log.js', import.meta.url).href;
    // A fresh process per case: which winston modules are in require's cache once a line is logged.
    const loaded = (options: string): string[] => {
      const code = `import { createRequire } from 'node:module'; const { createLogger } = await import(${JSON.stringify(log)});
        const root = createLogger(${options}); root.info('hello'); await root.close();
        console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/winston/'))));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as string[];
    };
    assert.deepEqual(loaded('{}'), []);
    const withFile = loaded(JSON.stringify({ file: join(dir, 'cohortd.log') }));
    assert.ok(withFile.some((k) => k.endsWith('/winston/lib/winston/transports/file.js')), withFile.join(', '));
    assert.match(readFileSync(join(dir, 'cohortd.log'), 'utf8'), / INFO  hello\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the text format: timestamp, padded level, [ns], message, then key=JSON fields in their order', () => {
  const mine: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => (mine.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    createLogger({ level: 'info' }).child({ ns: 'server:bus' }).warn('reconnected', { server: 'nats://a:4222', attempts: 2 });
  } finally {
    process.stderr.write = write;
  }
  assert.equal(mine.length, 1);
  assert.match(mine[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN  \[server:bus\] reconnected server="nats:\/\/a:4222" attempts=2\n$/);
});

test('a log file is appended to, its directory created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-log-'));
  try {
    const file = join(dir, 'sub', 'dir', 'cohortd.log');
    const first = createLogger({ file, format: 'json' });
    first.child({ ns: 'server' }).info('one', { n: 1 });
    await first.close();
    const second = createLogger({ file, format: 'json' });
    second.error('two');
    await second.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    assert.deepEqual(
      lines.slice(0, 2).map((l) => ({ ...JSON.parse(l), timestamp: 'TS' })),
      [
        { level: 'info', message: 'one', n: 1, ns: 'server', timestamp: 'TS' },
        { level: 'error', message: 'two', timestamp: 'TS' },
      ],
    );
    assert.ok(lines[0]!.startsWith('{"level":"info","message":"one","n":1,"ns":"server","timestamp":"'), 'keys sorted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a log file that cannot be opened is an error naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-log-'));
  try {
    assert.throws(() => createLogger({ file: dir }), (err: Error) => err.message.includes(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
