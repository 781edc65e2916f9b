/**
 * The `notify:` list of the pipeline file: its types and the checks that
 * name the entry and key that is wrong. Several notifiers run at once.
 */

/** What a notifier is told about. */
export const notifyEvents = ['provisioned', 'failed'] as const;
export type NotifyEventName = (typeof notifyEvents)[number];

interface Common {
  /** Events this notifier gets (default: all). */
  readonly events?: readonly NotifyEventName[];
}

export interface LogNotifierSpec extends Common {
  readonly type: 'log';
}

export interface WebhookNotifierSpec extends Common {
  readonly type: 'webhook';
  /** POSTed a JSON event. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Seconds (default 10). */
  readonly timeout?: number;
}

export interface EmailNotifierSpec extends Common {
  readonly type: 'email';
  readonly smtp: {
    readonly host: string;
    /** Default 587 (25 without TLS is common inside a site). */
    readonly port?: number;
    /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
    readonly secure?: boolean;
    readonly user?: string;
    readonly password?: string;
    /** Never upgrade to TLS (test servers, a local relay). */
    readonly ignore_tls?: boolean;
  };
  readonly from: string;
  readonly to: string | readonly string[];
  /** Templates: {{event}}, {{identity}}, {{master}}, {{error}}, {{facts.region}} ... */
  readonly subject?: string;
  readonly body?: string;
  /** Seconds (default 30). */
  readonly timeout?: number;
}

export type NotifierSpec = LogNotifierSpec | WebhookNotifierSpec | EmailNotifierSpec;

/** Schema of the list (the shape only; checkNotifiers explains what is wrong inside an entry). */
export const notifierItemSchema = { type: 'array', items: { type: 'object' } } as const;

const allowed: Record<NotifierSpec['type'], readonly string[]> = {
  log: ['type', 'events'],
  webhook: ['type', 'events', 'url', 'headers', 'timeout'],
  email: ['type', 'events', 'smtp', 'from', 'to', 'subject', 'body', 'timeout'],
};
const smtpKeys = ['host', 'port', 'secure', 'user', 'password', 'ignore_tls'];
const address = /^[^\s@<>]+@[^\s@<>]+$/;

type Entry = Readonly<Record<string, unknown>>;

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
const isMap = (v: unknown): v is Entry => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Check every notifier; returns the first problem, completing
 * "key 'notify' ...", e.g. `entry 2 (webhook): url must be an http:// or https:// URL (got "x")`.
 */
export function checkNotifiers(list: readonly NotifierSpec[]): string | undefined {
  for (const [i, raw] of list.entries()) {
    const problem = checkEntry(raw as unknown as Entry);
    if (problem) return `entry ${i + 1}${typeof raw.type === 'string' ? ` (${raw.type})` : ''}: ${problem}`;
  }
  return undefined;
}

function checkEntry(e: Entry): string | undefined {
  const type = e['type'];
  if (type !== 'log' && type !== 'webhook' && type !== 'email') return `type must be log, webhook or email (got ${show(type)})`;
  const unknown = Object.keys(e).find((k) => !allowed[type].includes(k));
  if (unknown !== undefined) return `unknown key '${unknown}' (known keys: ${allowed[type].join(', ')})`;
  const events = e['events'];
  if (events !== undefined && (!Array.isArray(events) || events.length === 0 || events.some((x) => !(notifyEvents as readonly unknown[]).includes(x)))) {
    return `events must be a non-empty list of ${notifyEvents.join(', ')} (got ${show(events)})`;
  }
  const timeout = e['timeout'];
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0) || timeout > 600)) return `timeout must be seconds from 1 to 600 (got ${show(timeout)})`;
  if (type === 'webhook') return checkWebhook(e);
  if (type === 'email') return checkEmail(e);
  return undefined;
}

function checkWebhook(e: Entry): string | undefined {
  const url = e['url'];
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return `url must be an http:// or https:// URL (got ${show(url)})`;
  const headers = e['headers'];
  if (headers !== undefined && (!isMap(headers) || Object.values(headers).some((v) => typeof v !== 'string'))) return `headers must be a mapping of header names to strings (got ${show(headers)})`;
  return undefined;
}

function checkEmail(e: Entry): string | undefined {
  const smtp = e['smtp'];
  if (!isMap(smtp)) return `smtp must be a mapping with host (and port, secure, user, password, ignore_tls) (got ${show(smtp)})`;
  const unknown = Object.keys(smtp).find((k) => !smtpKeys.includes(k));
  if (unknown !== undefined) return `unknown key 'smtp.${unknown}' (known keys: ${smtpKeys.map((k) => `smtp.${k}`).join(', ')})`;
  if (typeof smtp['host'] !== 'string' || smtp['host'] === '') return `smtp.host must be the SMTP server's host name (got ${show(smtp['host'])})`;
  const port = smtp['port'];
  if (port !== undefined && (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)) return `smtp.port must be a port number (got ${show(port)})`;
  for (const k of ['secure', 'ignore_tls']) if (smtp[k] !== undefined && typeof smtp[k] !== 'boolean') return `smtp.${k} must be true or false (got ${show(smtp[k])})`;
  for (const k of ['user', 'password']) if (smtp[k] !== undefined && typeof smtp[k] !== 'string') return `smtp.${k} must be a string`;
  if (typeof e['from'] !== 'string' || !address.test(e['from'].replace(/^.*<(.+)>\s*$/, '$1'))) return `from must be an email address (got ${show(e['from'])})`;
  const to = typeof e['to'] === 'string' ? [e['to']] : e['to'];
  if (!Array.isArray(to) || to.length === 0 || to.some((a) => typeof a !== 'string' || !address.test(a))) return `to must be an email address or a list of them (got ${show(e['to'])})`;
  for (const k of ['subject', 'body']) if (e[k] !== undefined && typeof e[k] !== 'string') return `${k} must be a template string (got ${show(e[k])})`;
  return undefined;
}
