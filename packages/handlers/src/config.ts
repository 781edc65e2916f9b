import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import yaml from 'js-yaml';
import { ConfigError, checkNamePattern, errorMessage, parseMineDuration, TrustStore, type CheckState } from '@cohort/core';
import { checkTemplate } from '@cohort/provisioner';
import { templateRoots } from './notification.js';

/**
 * handlers.yaml: the handler service's config as data. Validated once here
 * (every problem names the handler and the field), then typed and frozen.
 * Durations: seconds (`30`) or with a unit (`500ms`, `10s`, `5m`, `4h`, `1d`).
 */

/** States a handler may be told about (pending and maintenance never notify). */
export const notifiableStates = ['ok', 'warning', 'critical', 'unknown'] as const;
export type NotifiableState = (typeof notifiableStates)[number];

/** What to do with a delivery found `sending` after a restart (the process died while handling it). */
export type OnInterrupted = 'resend' | 'skip';

interface HandlerCommon {
  readonly name: string;
  /** States that trigger it; `ok` means a recovery (after a notified problem). */
  readonly states: readonly NotifiableState[];
  /** Only hard states (the check's retries used up); default true. */
  readonly hardOnly: boolean;
  /** Tries after the first failure, with exponential backoff. */
  readonly retries: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** One try's limit. */
  readonly timeoutMs: number;
  readonly onInterrupted: OnInterrupted;
}

export interface SmtpSettings {
  readonly host: string;
  readonly port?: number;
  readonly secure?: boolean;
  readonly ignore_tls?: boolean;
  readonly user?: string;
  readonly password?: string;
}

export interface EmailHandlerSpec extends HandlerCommon {
  readonly type: 'email';
  readonly smtp: SmtpSettings;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string | undefined;
  readonly body: string | undefined;
}

export interface WebhookHandlerSpec extends HandlerCommon {
  readonly type: 'webhook';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ExecHandlerSpec extends HandlerCommon {
  readonly type: 'exec';
  /** argv, run without a shell; the notification JSON on stdin. */
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export type HandlerSpec = EmailHandlerSpec | WebhookHandlerSpec | ExecHandlerSpec;
export type HandlerType = HandlerSpec['type'];

export interface FlapSettings {
  /** More than this many changes of one (node, check) within `windowMs` is flapping. */
  readonly changes: number;
  readonly windowMs: number;
  /** Flapping ends when the state has not changed for this long (default: the window). */
  readonly settleMs: number;
}

export interface HandlersConfig {
  readonly file: string | undefined;
  readonly collective: string;
  /** The durable JetStream consumer's name (one service per name). */
  readonly consumer: string;
  /** Where a new consumer starts: only events from now on, or everything the stream holds. */
  readonly start: 'new' | 'all';
  /** How long an event may be in hand before the server redelivers it (the service extends it while working). */
  readonly ackWaitMs: number;
  /** Key-value buckets: `<bucket>` (state per node and check) and `<bucket>_delivery` (what was sent). */
  readonly bucket: string;
  readonly trust: { readonly issuers: readonly string[]; readonly keysDir: string | undefined };
  /** Handlers for events that name none. */
  readonly defaults: readonly string[];
  /** Re-notify a problem that persists every this long; 0: never. */
  readonly renotifyMs: number;
  readonly flapping: FlapSettings | undefined;
  /** How often renotify and flapping are looked at. */
  readonly tickMs: number;
  readonly handlers: ReadonlyMap<string, HandlerSpec>;
}

const topKeys = ['collective', 'consumer', 'start', 'ack_wait', 'bucket', 'trust', 'defaults', 'renotify', 'flapping', 'tick', 'handlers'];
const commonKeys = ['type', 'states', 'hard_only', 'retries', 'backoff', 'timeout', 'on_interrupted'];
const typeKeys: Record<HandlerType, readonly string[]> = {
  email: ['smtp', 'from', 'to', 'subject', 'body'],
  webhook: ['url', 'headers'],
  exec: ['command', 'env'],
};
const smtpKeys = ['host', 'port', 'secure', 'ignore_tls', 'user', 'password', 'password_env'];
const defaults: Record<HandlerType, { retries: number; timeoutMs: number; onInterrupted: OnInterrupted }> = {
  email: { retries: 3, timeoutMs: 30_000, onInterrupted: 'resend' },
  webhook: { retries: 5, timeoutMs: 10_000, onInterrupted: 'resend' },
  exec: { retries: 0, timeoutMs: 30_000, onInterrupted: 'resend' },
};
const address = /^[^\s@<>]+@[^\s@<>]+$/;
const bucketName = /^[A-Za-z0-9_-]{1,64}$/;
const consumerName = /^[A-Za-z0-9_-]{1,64}$/;

type Entry = Readonly<Record<string, unknown>>;
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
const isMap = (v: unknown): v is Entry => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A problem in one place of the file; `where` is `handlers.pager.url` style. */
class Problem extends Error {}
function fail(where: string, message: string): never {
  throw new Problem(`${where}: ${message}`);
}

function duration(where: string, v: unknown, fallbackMs: number, allowZero = false): number {
  if (v === undefined) return fallbackMs;
  if (allowZero && (v === 0 || v === '0' || v === false)) return 0;
  const ms = parseMineDuration(v);
  if (typeof ms === 'string') fail(where, ms);
  return ms;
}

function unknownKey(where: string, e: Entry, known: readonly string[]): void {
  const k = Object.keys(e).find((key) => !known.includes(key));
  if (k !== undefined) fail(where ? `${where}.${k}` : k, `unknown key (known: ${known.join(', ')})`);
}

function stringList(where: string, v: unknown, what: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x === '')) fail(where, `must be ${what} or a list of them (got ${show(v)})`);
  return list as string[];
}

function intIn(where: string, v: unknown, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) fail(where, `must be a whole number from ${min} to ${max} (got ${show(v)})`);
  return v as number;
}

function stringMap(where: string, v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (!isMap(v) || Object.values(v).some((x) => typeof x !== 'string')) fail(where, `must be a mapping of names to strings (got ${show(v)})`);
  return { ...(v as Record<string, string>) };
}

function template(where: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(where, `must be a template string (got ${show(v)})`);
  const problem = checkTemplate(v, templateRoots);
  if (problem) fail(where, problem);
  return v;
}

function smtpOf(where: string, v: unknown, env: NodeJS.ProcessEnv): SmtpSettings {
  if (!isMap(v)) fail(where, `must be a mapping with host (and port, secure, ignore_tls, user, password or password_env) (got ${show(v)})`);
  unknownKey(where, v, smtpKeys);
  if (typeof v['host'] !== 'string' || v['host'] === '') fail(`${where}.host`, `must be the SMTP server's host name (got ${show(v['host'])})`);
  const port = intIn(`${where}.port`, v['port'], 1, 65535, 587);
  for (const k of ['secure', 'ignore_tls']) if (v[k] !== undefined && typeof v[k] !== 'boolean') fail(`${where}.${k}`, `must be true or false (got ${show(v[k])})`);
  for (const k of ['user', 'password', 'password_env']) if (v[k] !== undefined && typeof v[k] !== 'string') fail(`${where}.${k}`, 'must be a string');
  let password = v['password'] as string | undefined;
  const fromEnv = v['password_env'] as string | undefined;
  if (fromEnv !== undefined) {
    if (password !== undefined) fail(`${where}.password_env`, 'give password or password_env, not both');
    password = env[fromEnv];
    if (password === undefined) fail(`${where}.password_env`, `the environment variable ${fromEnv} is not set`);
  }
  return {
    host: v['host'],
    port,
    ...(v['secure'] !== undefined ? { secure: v['secure'] as boolean } : {}),
    ...(v['ignore_tls'] !== undefined ? { ignore_tls: v['ignore_tls'] as boolean } : {}),
    ...(v['user'] !== undefined ? { user: v['user'] as string } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

function handlerOf(name: string, raw: unknown, base: string, env: NodeJS.ProcessEnv): HandlerSpec {
  const at = `handlers.${name}`;
  if (!checkNamePattern.test(name)) fail(at, 'handler names are lower-case letters, digits, _ and - (at most 64, starting with a letter)');
  if (!isMap(raw)) fail(at, `must be a mapping with a type (email, webhook or exec) (got ${show(raw)})`);
  const type = raw['type'];
  if (type !== 'email' && type !== 'webhook' && type !== 'exec') fail(`${at}.type`, `must be email, webhook or exec (got ${show(type)})`);
  unknownKey(at, raw, [...commonKeys, ...typeKeys[type]]);
  const states = raw['states'] === undefined ? [...notifiableStates] : stringList(`${at}.states`, raw['states'], 'a state');
  const bad = states.find((s) => !(notifiableStates as readonly string[]).includes(s));
  if (bad !== undefined) fail(`${at}.states`, `'${bad}' is not a state that notifies (use ${notifiableStates.join(', ')}; ok means a recovery)`);
  if (raw['hard_only'] !== undefined && typeof raw['hard_only'] !== 'boolean') fail(`${at}.hard_only`, `must be true or false (got ${show(raw['hard_only'])})`);
  const d = defaults[type];
  const backoff = raw['backoff'] ?? {};
  if (!isMap(backoff)) fail(`${at}.backoff`, `must be a mapping with initial and max (got ${show(backoff)})`);
  unknownKey(`${at}.backoff`, backoff, ['initial', 'max']);
  const initialMs = duration(`${at}.backoff.initial`, backoff['initial'], 1000);
  const maxMs = duration(`${at}.backoff.max`, backoff['max'], 60_000);
  if (maxMs < initialMs) fail(`${at}.backoff.max`, 'must not be shorter than backoff.initial');
  const onInterrupted = raw['on_interrupted'] ?? d.onInterrupted;
  if (onInterrupted !== 'resend' && onInterrupted !== 'skip') fail(`${at}.on_interrupted`, `must be resend or skip (got ${show(onInterrupted)})`);
  const common: HandlerCommon = {
    name,
    states: states as NotifiableState[],
    hardOnly: (raw['hard_only'] as boolean | undefined) ?? true,
    retries: intIn(`${at}.retries`, raw['retries'], 0, 100, d.retries),
    backoff: { initialMs, maxMs },
    timeoutMs: duration(`${at}.timeout`, raw['timeout'], d.timeoutMs),
    onInterrupted,
  };
  switch (type) {
    case 'email': {
      const from = raw['from'];
      if (typeof from !== 'string' || !address.test(from.replace(/^.*<(.+)>\s*$/, '$1'))) fail(`${at}.from`, `must be an email address (got ${show(from)})`);
      const to = stringList(`${at}.to`, raw['to'], 'an email address');
      const badTo = to.find((a) => !address.test(a));
      if (to.length === 0 || badTo !== undefined) fail(`${at}.to`, `must be an email address or a list of them (got ${show(badTo ?? raw['to'])})`);
      return { ...common, type, smtp: smtpOf(`${at}.smtp`, raw['smtp'], env), from, to, subject: template(`${at}.subject`, raw['subject']), body: template(`${at}.body`, raw['body']) };
    }
    case 'webhook': {
      const url = raw['url'];
      let parsed: URL | undefined;
      try {
        parsed = typeof url === 'string' ? new URL(url) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) fail(`${at}.url`, `must be an http:// or https:// URL (got ${show(url)})`);
      return { ...common, type, url: parsed.href, headers: stringMap(`${at}.headers`, raw['headers']) };
    }
    case 'exec': {
      const command = raw['command'];
      if (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== 'string') || command[0] === '') {
        fail(`${at}.command`, `must be a list: the program and its arguments, run without a shell (got ${show(command)})`);
      }
      const argv = [...(command as string[])];
      // A program given by path is taken relative to the config file; a bare name is looked up in PATH.
      if (argv[0]!.includes('/') && !isAbsolute(argv[0]!)) argv[0] = resolve(base, argv[0]!);
      return { ...common, type, command: argv, env: stringMap(`${at}.env`, raw['env']) };
    }
  }
}

/**
 * Validate a parsed handlers file. `base`: the directory relative paths
 * resolve against. Throws ConfigError naming the file, the handler and the field.
 */
export function handlersConfigFromValues(raw: unknown, options: { file?: string; base?: string; env?: NodeJS.ProcessEnv } = {}): HandlersConfig {
  const base = options.base ?? (options.file ? dirname(resolve(options.file)) : process.cwd());
  const what = options.file ?? 'the handlers config';
  try {
    return Object.freeze(parse(raw, base, options.env ?? process.env, options.file));
  } catch (err) {
    if (err instanceof Problem) throw new ConfigError(`${what}: ${err.message}`);
    throw err;
  }
}

function parse(raw: unknown, base: string, env: NodeJS.ProcessEnv, file: string | undefined): HandlersConfig {
  if (!isMap(raw)) fail('top level', `must be a mapping with handlers (got ${show(raw)})`);
  unknownKey('', raw, topKeys);
  const collective = raw['collective'] ?? 'cohort';
  if (typeof collective !== 'string' || !/^[a-z][a-z0-9_-]{0,63}$/.test(collective)) fail('collective', `must be a collective name (got ${show(collective)})`);
  const consumer = raw['consumer'] ?? 'cohort-handlers';
  if (typeof consumer !== 'string' || !consumerName.test(consumer)) fail('consumer', `must be a consumer name: letters, digits, _ and - (got ${show(consumer)})`);
  const bucket = raw['bucket'] ?? `cohort_handlers_${collective}`;
  if (typeof bucket !== 'string' || !bucketName.test(bucket)) fail('bucket', `must be a bucket name: letters, digits, _ and - (got ${show(bucket)})`);
  const start = raw['start'] ?? 'new';
  if (start !== 'new' && start !== 'all') fail('start', `must be new (events from the first start on) or all (everything the stream holds) (got ${show(start)})`);

  const trust = raw['trust'];
  if (!isMap(trust)) fail('trust', 'must be a mapping with issuers (files of the issuer public keys that certify the nodes) and/or keys_dir');
  unknownKey('trust', trust, ['issuers', 'keys_dir']);
  const issuers = trust['issuers'] === undefined ? [] : stringList('trust.issuers', trust['issuers'], 'an issuer public key file');
  const keysDir = trust['keys_dir'];
  if (keysDir !== undefined && (typeof keysDir !== 'string' || keysDir === '')) fail('trust.keys_dir', `must be a directory of <identity>.pub files (got ${show(keysDir)})`);
  if (issuers.length === 0 && keysDir === undefined) fail('trust', 'give issuers and/or keys_dir: events are believed only when signed by a node the service trusts');

  const handlersRaw = raw['handlers'];
  if (!isMap(handlersRaw) || Object.keys(handlersRaw).length === 0) fail('handlers', 'must be a mapping of handler names to handlers (type email, webhook or exec)');
  const handlers = new Map<string, HandlerSpec>();
  for (const [name, h] of Object.entries(handlersRaw)) handlers.set(name, Object.freeze(handlerOf(name, h, base, env)));

  const defaultsList = raw['defaults'] === undefined ? [...handlers.keys()] : stringList('defaults', raw['defaults'], 'a handler name');
  const missing = defaultsList.find((n) => !handlers.has(n));
  if (missing !== undefined) fail('defaults', `'${missing}' is not a handler of this file (handlers: ${[...handlers.keys()].join(', ')})`);

  let flapping: FlapSettings | undefined;
  const f = raw['flapping'];
  if (f !== undefined && f !== false) {
    if (!isMap(f)) fail('flapping', `must be a mapping with changes and window (got ${show(f)})`);
    unknownKey('flapping', f, ['changes', 'window', 'settle']);
    const windowMs = duration('flapping.window', f['window'], 3_600_000);
    flapping = { changes: intIn('flapping.changes', f['changes'], 1, 1000, 5), windowMs, settleMs: duration('flapping.settle', f['settle'], windowMs) };
  }
  const renotifyMs = duration('renotify', raw['renotify'], 0, true);
  const tickMs = duration('tick', raw['tick'], Math.min(10_000, renotifyMs || 10_000, flapping?.settleMs ?? 10_000));

  return {
    file,
    collective,
    consumer,
    start,
    ackWaitMs: duration('ack_wait', raw['ack_wait'], 30_000),
    bucket,
    trust: { issuers: issuers.map((p) => resolve(base, p)), keysDir: keysDir === undefined ? undefined : resolve(base, keysDir) },
    defaults: defaultsList,
    renotifyMs,
    flapping,
    tickMs,
    handlers,
  };
}

/** Read and validate a handlers file (YAML or JSON). Throws ConfigError saying what is wrong and where. */
export function loadHandlersConfig(file: string, env: NodeJS.ProcessEnv = process.env): HandlersConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the handlers config ${file}: ${errorMessage(err)}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = yaml.load(text, { filename: file });
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${errorMessage(err)}`, { cause: err });
  }
  return handlersConfigFromValues(raw, { file, env });
}

/** The states a handler treats as problems (a later ok is a recovery). */
export const problemStates: readonly CheckState[] = ['warning', 'critical', 'unknown'];

/** The trust store of the config's `trust` (node kind). Throws ConfigError naming the file and `trust` when a key file cannot be read. */
export function loadHandlersTrust(config: HandlersConfig): TrustStore {
  try {
    return TrustStore.load({ kind: 'node', issuers: config.trust.issuers, keysDir: config.trust.keysDir });
  } catch (err) {
    throw new ConfigError(`${config.file ?? 'the handlers config'}: trust: ${errorMessage(err)}`, { cause: err });
  }
}
