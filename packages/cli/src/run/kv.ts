import { UsageError } from '@cohort/core';
import { kv, type Bus } from '@cohort/client';
import { str, bool, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { openSession, type Session } from '../session.js';
import { stopSignal } from './stop-signal.js';

export type KvCommand = 'put' | 'get' | 'del' | 'ls' | 'watch' | 'history';

function wholeNumber(argv: Args, key: string): number | undefined {
  const v = argv[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${key} '${String(v)}' must be a whole number`);
  return n;
}

function required(argv: Args, key: string): string {
  const v = str(argv, key);
  if (v === undefined) throw new UsageError(`give a ${key.toLowerCase()}`);
  return v;
}

/** `cohort kv put|get|del|ls|watch|history`. */
export async function runKv(command: KvCommand, argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io, { keepsRunning: command === 'watch' });
  const defaults = session.config.kv;
  const bucket = kv.kvBucketName(session.collective, str(argv, 'bucket') ?? defaults.bucket);
  // Check the arguments before connecting.
  if (command !== 'ls' && command !== 'watch') kv.checkKvKey(required(argv, 'KEY'));
  else kv.checkKvKey(str(argv, 'FILTER') ?? '>', true);
  let value: Uint8Array | undefined;
  if (command === 'put') {
    const given = str(argv, 'VALUE');
    if (given === undefined) throw new UsageError('give a value, or - to read it from standard input');
    value = new TextEncoder().encode(given === '-' ? await io.readStdin() : given);
  }
  const bus = await session.openBus();
  try {
    switch (command) {
      case 'put': {
        const create = kv.checkKvCreate({
          history: wholeNumber(argv, 'history') ?? defaults.history,
          replicas: wholeNumber(argv, 'replicas') ?? defaults.replicas,
        });
        const key = required(argv, 'KEY');
        const revision = await kv.kvPut(bus, bucket, key, value!, create);
        if (session.json) io.stdout.write(stringifyJson({ bucket, key, revision }, io.stdout.isTTY));
        else if (session.verbose) io.stderr.write(`${bucket} ${key}: revision ${revision}\n`);
        return { kind: 'done' };
      }
      case 'get':
        return await get(bus, session, bucket, argv);
      case 'del':
        await kv.kvDelete(bus, bucket, required(argv, 'KEY'), bool(argv, 'purge'));
        return { kind: 'done' };
      case 'ls': {
        const keys = await kv.kvKeys(bus, bucket, str(argv, 'FILTER') ?? '>');
        if (session.json) io.stdout.write(stringifyJson(keys, io.stdout.isTTY));
        else if (keys.length > 0) io.stdout.write(`${keys.join('\n')}\n`);
        else io.stderr.write(`no keys${str(argv, 'FILTER') ? ` matching ${str(argv, 'FILTER')}` : ''} in bucket ${bucket}\n`);
        return { kind: 'found', count: keys.length };
      }
      case 'history': {
        const revisions = await kv.kvHistory(bus, bucket, required(argv, 'KEY'));
        if (session.json) io.stdout.write(stringifyJson(revisions.map(kv.kvRevisionJson), io.stdout.isTTY));
        else io.stdout.write(revisions.map(line).join(''));
        return { kind: 'done' };
      }
      case 'watch':
        return await watch(bus, session, bucket, argv);
    }
  } finally {
    await bus.close();
  }
}

async function get(bus: Bus, session: Session, bucket: string, argv: Args): Promise<Outcome> {
  const key = required(argv, 'KEY');
  const wanted = wholeNumber(argv, 'revision');
  let r: kv.KvRevision;
  if (wanted === undefined) r = await kv.kvGet(bus, bucket, key);
  else {
    const found = (await kv.kvHistory(bus, bucket, key)).find((x) => x.revision === wanted);
    if (!found) throw new kv.KvNotFoundError(`revision ${wanted} of ${key} is not kept in bucket ${bucket} (cohort kv history ${key} lists the kept ones)`);
    r = found;
  }
  const { io } = session;
  if (session.json) io.stdout.write(stringifyJson(kv.kvRevisionJson(r), io.stdout.isTTY));
  else io.stdout.write(kv.utf8(r.value) ?? Buffer.from(r.value).toString('base64'));
  return { kind: 'done' };
}

/** One human line for a revision: REVISION TIME KEY OPERATION VALUE. */
function line(r: kv.KvRevision): string {
  const text = r.operation === 'PUT' ? (kv.utf8(r.value) ?? `base64:${Buffer.from(r.value).toString('base64')}`) : '';
  return `${r.revision} ${new Date(r.created).toISOString()} ${r.key} ${r.operation}${text === '' ? '' : ` ${JSON.stringify(text)}`}\n`;
}

async function watch(bus: Bus, session: Session, bucket: string, argv: Args): Promise<Outcome> {
  const count = wholeNumber(argv, 'count');
  if (count !== undefined && count < 1) throw new UsageError('--count must be at least 1');
  const { io } = session;
  let seen = 0;
  const { stopped, stop } = stopSignal();
  const w = await kv.kvWatch(bus, bucket, str(argv, 'FILTER') ?? '>', !bool(argv, 'updates-only'), (r) => {
    if (count !== undefined && seen >= count) return;
    io.stdout.write(session.json ? `${JSON.stringify(kv.kvRevisionJson(r))}\n` : line(r));
    seen++;
    if (count !== undefined && seen >= count) stop('count');
  });
  if (session.verbose) io.stderr.write(`watching ${str(argv, 'FILTER') ?? '>'} in bucket ${bucket}\n`);
  await stopped;
  await w.stop();
  return { kind: 'done' };
}
