import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger, type LogLevel } from '@cohort/core/log';

// The daemon's lines were written by winston until 7 December 2026; @cohort/core/log now writes them itself.
// The reference here is winston (a dev dependency of @cohort/core) set up as log.ts set it up then.
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

test('a log file is appended to, its directory created', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-log-'));
  try {
    const file = join(dir, 'sub', 'dir', 'cohortd.log');
    createLogger({ file, format: 'json' }).child({ ns: 'server' }).info('one', { n: 1 });
    createLogger({ file, format: 'json' }).error('two');
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
