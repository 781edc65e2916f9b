// Fakes behind the handler service's own interfaces (clock, event source,
// handlers) and signed events made as a node makes them (a node key
// certified by a throwaway issuer, sealData from core).
import { checkEventSubject, checkEventTag, createSigner, generateKeyPair, issueCertificate, publicKeyHex, sealDataBytes, TrustStore, type CheckEvent, type CheckState } from '@cohort/core';
import type { Time } from '../../packages/provisioner/src/index.ts';
import { handlersConfigFromValues, type EventMessage, type EventSource, type Handler, type HandlersConfig, type Notification } from '../../packages/handlers/src/index.ts';

export const t0 = 1_800_000_000_000;

/** A clock run by hand: sleep advances it. */
export class FakeTime implements Time {
  constructor(public ms = t0) {}
  now = () => this.ms;
  sleep = async (ms: number) => {
    this.ms += ms;
  };
  every = () => ({ stop() {} });
}

let seq = 0;
/** An event of `identity`'s `check` (sequence increments per call unless given). */
export function event(identity: string, check: string, state: CheckState, o: Partial<CheckEvent> = {}): CheckEvent {
  const sequence = o.sequence ?? ++seq;
  return {
    protocol: checkEventTag,
    id: `${identity}:${check}:${sequence}`,
    collective: 'cohort',
    identity,
    check,
    sequence,
    previous: 'ok',
    state,
    hard: true,
    output: `${state.toUpperCase()} - test`,
    perfdata: [{ label: 'load1', value: 3.2 }],
    time: t0,
    interval: 60,
    handlers: [],
    ...o,
  };
}

/** A config with two handlers (mail, hook), both defaults, trusting `issuerFile`. */
export function config(extra: Record<string, unknown> = {}, handlers: Record<string, unknown> = {}): HandlersConfig {
  return handlersConfigFromValues(
    {
      trust: { keys_dir: '/nonexistent' },
      handlers: {
        mail: { type: 'email', smtp: { host: 'localhost', port: 2525 }, from: 'cohort@example.net', to: 'ops@example.net' },
        hook: { type: 'webhook', url: 'http://127.0.0.1:1/hook', retries: 2, backoff: { initial: '1s', max: '4s' } },
        ...handlers,
      },
      ...extra,
    },
    { base: '/etc/cohort', env: {} },
  );
}

/** Signing keys for nodes, certified by a throwaway issuer, and the trust store that believes them. */
export function fleetKeys(identities: string[]) {
  const issuer = generateKeyPair();
  const trust = new TrustStore('node', new Map(), new Set([publicKeyHex(issuer.publicKey)]));
  const signers = new Map(
    identities.map((id) => {
      const pair = generateKeyPair();
      const cert = issueCertificate(issuer.privateKey, { kind: 'node', subject: id, publicKey: publicKeyHex(pair.publicKey), expiresAt: t0 + 86_400_000 * 365, issuedAt: t0 - 1000 });
      return [id, createSigner(pair.privateKey, id, cert)] as const;
    }),
  );
  return {
    trust,
    /** The bytes a node publishes for `e` (signed by `by`, default the event's node). */
    seal: (e: CheckEvent, by = e.identity) => sealDataBytes('check-event', e, signers.get(by)!, e.time),
    subject: (e: CheckEvent) => checkEventSubject('cohort', e.identity, e.check),
  };
}

/** An event source the test pushes messages into; acks and naks are recorded. */
export class FakeEvents implements EventSource {
  readonly name = 'fake';
  acked: number[] = [];
  naked: number[] = [];
  #on: ((m: EventMessage) => Promise<void>) | undefined;
  #seq = 0;
  async consume(onMessage: (m: EventMessage) => Promise<void>) {
    this.#on = onMessage;
    return { stop: async () => void (this.#on = undefined) };
  }
  /** Deliver one message and wait until it was handled. */
  async push(subject: string, data: Uint8Array, seq = ++this.#seq): Promise<void> {
    await this.#on?.({ subject, data, seq, deliveries: 1, ack: async () => void this.acked.push(seq), nak: () => void this.naked.push(seq), working() {} });
  }
}

/** A handler that records what it was told; `failures` tries fail first. */
export class RecordingHandler implements Handler {
  told: Notification[] = [];
  tries = 0;
  constructor(
    readonly name: string,
    public failures = 0,
  ) {}
  readonly describe = 'recording';
  async send(n: Notification) {
    this.tries++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('refused (test)');
    }
    this.told.push(n);
  }
  close() {}
}

/** A log that keeps lines. */
export class Lines {
  lines: string[] = [];
  error = (m: string) => void this.lines.push(`error ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  info = (m: string) => void this.lines.push(`info ${m}`);
  debug = (m: string) => void this.lines.push(`debug ${m}`);
}
