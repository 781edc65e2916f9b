import { AuditOutcome, errorMessage, keyId, openData, verifyData, type AuditRecord, type NodeView, type PolicyStore, type TrustStore } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { AuditSink } from './pipeline/audit.js';
import type { BucketWatcher, WatchedEntry } from './bus/mine-watch.js';

/** What the node hands to a {@link FleetDefinitions} (the same for every kind of definition). */
export interface FleetDefinitionsOptions<T> {
  readonly collectives: readonly string[];
  readonly watch: (name: string, onEntry: (entry: WatchedEntry) => void, onError: (err: unknown) => void) => Promise<BucketWatcher>;
  /** Trusted callers (the same store that verifies requests). */
  readonly trust: () => TrustStore;
  readonly policies: PolicyStore | undefined;
  readonly audit: AuditSink | undefined;
  readonly view: () => NodeView;
  readonly log: Logger;
  /** Called with the accepted items whenever that list changes. */
  readonly onChange: (items: T[]) => void;
  readonly clock?: () => number;
}

/**
 * One kind of fleet-wide definition: where it is stored, how it is signed and
 * checked, whom actionpolicy is asked about, and what an accepted one becomes.
 * V is the signed value (named by its bucket key), T the item it becomes.
 */
export interface DefinitionKind<V extends { readonly name: string }, T extends { readonly name: string }> {
  /** Log prefix ('mine', 'checks'). */
  readonly area: string;
  /** How audit reasons name a definition ('mine definition'); the audit request_id is `<signedKind>:<name>`. */
  readonly label: string;
  /** What still runs when the bucket cannot be watched ('functions', 'checks'). */
  readonly local: string;
  readonly bucket: (collective: string) => string;
  /** The signed-data kind the definitions are sealed as. */
  readonly signedKind: string;
  /** The problem with a signed value's shape, if any (verifyData's `check`). */
  readonly problem: (value: unknown) => string | undefined;
  /** The agent, action and data of the audit record of a (possibly unverified, possibly malformed) value. */
  readonly auditFields: (value: unknown) => Pick<AuditRecord, 'agent' | 'action' | 'data'>;
  /** Why this node does not take the definition up at all (e.g. its filter does not match): not a refusal, not audited. */
  readonly applies?: (value: V, view: NodeView) => string | undefined;
  /** The agent and action actionpolicy is asked about for the definition's author, as if they had sent that request. */
  readonly policy: (value: V) => { readonly agent: string; readonly action: string };
  /** The item an authorized definition becomes, or why it is refused. */
  readonly decide: (value: V, subject: string) => T | string;
  /**
   * true: every refusal is a warning. false: only unverifiable signatures
   * and policy denials are; every definition not taken up is logged at debug.
   */
  readonly warnEveryRefusal: boolean;
}

interface Entry {
  readonly collective: string;
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The outcome of looking at one definition: take it up (item), or not (reason), and whether to audit. */
type Decision<T> = { item: T; audit: AuditRecord } | { reason: string; audit: AuditRecord | undefined };

interface Signed {
  readonly time: number;
  readonly verified: boolean;
  readonly key?: string;
}

/**
 * Fleet-wide definitions of one kind: watches each collective's definitions
 * bucket and accepts a definition when (1) its signature verifies against a
 * trusted caller key, (2) it is stored under its own name, (3) the kind
 * applies it to this node, (4) actionpolicy allows its author the kind's
 * action here, exactly as if they had sent the request, and (5) the kind
 * turns it into an item. Accepted and refused definitions are audited once
 * per change; a name defined in two collectives is taken from the first.
 * Re-evaluated on refresh (facts, classes or policies may have changed).
 */
export class FleetDefinitions<V extends { readonly name: string }, T extends { readonly name: string }> {
  readonly #kind: DefinitionKind<V, T>;
  readonly #o: FleetDefinitionsOptions<T>;
  readonly #clock: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #audited = new Map<string, string>();
  readonly #watchers: BucketWatcher[] = [];
  #items: T[] = [];

  constructor(kind: DefinitionKind<V, T>, options: FleetDefinitionsOptions<T>) {
    this.#kind = kind;
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
  }

  /** Start watching every collective's definitions (failures are logged; the local ones run regardless). */
  async start(): Promise<void> {
    const { area, local } = this.#kind;
    await Promise.all(
      this.#o.collectives.map(async (collective) => {
        const bucket = this.#kind.bucket(collective);
        try {
          this.#watchers.push(await this.#o.watch(bucket, (e) => this.#changed(collective, e), (err) => this.#o.log.warn(`${area}: ${errorMessage(err)}`)));
        } catch (err) {
          this.#o.log.warn(`${area}: cannot watch fleet-wide definitions in ${bucket} (${errorMessage(err)}); only local ${local} run`);
        }
      }),
    );
  }

  /** The accepted definitions' items. */
  protected items(): T[] {
    return this.#items;
  }

  /** Look at every definition again (facts, classes or policies may have changed). */
  refresh(): void {
    this.#evaluate();
  }

  stop(): void {
    for (const w of this.#watchers.splice(0)) w.stop();
  }

  #changed(collective: string, e: WatchedEntry): void {
    const id = `${collective}/${e.key}`;
    if (e.value === undefined || e.value.byteLength === 0) this.#entries.delete(id);
    else this.#entries.set(id, { collective, name: e.key, bytes: e.value });
    this.#evaluate();
  }

  #evaluate(): void {
    const { area, warnEveryRefusal } = this.#kind;
    const items = new Map<string, T>();
    for (const [id, entry] of this.#entries) {
      const d = this.#decide(entry);
      if (d.audit) this.#auditOnce(id, d.audit);
      if ('item' in d) {
        if (items.has(d.item.name)) this.#o.log.warn(`${area}: definition '${d.item.name}' in collective ${entry.collective} ignored: already defined in another collective`);
        else items.set(d.item.name, d.item);
      } else if (!warnEveryRefusal) {
        this.#o.log.debug(`${area}: definition '${entry.name}' in ${entry.collective} not run: ${d.reason}`);
      }
    }
    const list = [...items.values()];
    if (JSON.stringify(list) === JSON.stringify(this.#items)) return;
    this.#items = list;
    this.#o.onChange(list);
  }

  #decide(entry: Entry): Decision<T> {
    const kind = this.#kind;
    const now = this.#clock();
    let opened: ReturnType<typeof openData>;
    try {
      opened = openData(entry.bytes);
    } catch (err) {
      const reason = `malformed definition: ${errorMessage(err)}`;
      if (kind.warnEveryRefusal) this.#o.log.warn(`${kind.area}: refusing definition '${entry.name}' in ${entry.collective}: ${reason}`);
      return { reason, audit: this.#record(entry, undefined, undefined, AuditOutcome.Refused, reason, now) };
    }
    const verified = verifyData<V>(opened, this.#o.trust(), { kind: kind.signedKind, now, check: kind.problem });
    if (typeof verified === 'string') {
      this.#o.log.warn(`${kind.area}: refusing definition '${entry.name}' in ${entry.collective} from ${opened.body.subject}: ${verified}`);
      return { reason: verified, audit: this.#record(entry, opened.body.value, opened.body.subject, AuditOutcome.Refused, verified, now, { time: opened.body.time, verified: false }) };
    }
    const value = verified.value;
    const subject = verified.subject;
    const signed: Signed = { time: verified.time, verified: true, key: keyId(verified.signer.key) };
    const refuse = (outcome: AuditOutcome, reason: string, warn: boolean) => {
      if (warn) this.#o.log.warn(`${kind.area}: refusing definition '${entry.name}' from ${subject}: ${reason}`);
      return { reason, audit: this.#record(entry, value, subject, outcome, reason, now, signed) };
    };
    if (value.name !== entry.name) return refuse(AuditOutcome.Refused, `stored under '${entry.name}' but names itself '${value.name}'`, kind.warnEveryRefusal);
    const view = this.#o.view();
    const skipped = kind.applies?.(value, view);
    if (skipped !== undefined) return { reason: skipped, audit: undefined };
    let allowedBy = 'authorization is off (security.policy_dir is not set)';
    if (this.#o.policies) {
      const { agent, action } = kind.policy(value);
      const decision = this.#o.policies.decide(agent, action, subject, view, now);
      if (!decision.allowed) return refuse(AuditOutcome.Denied, decision.reason, true);
      allowedBy = decision.reason;
    }
    const item = kind.decide(value, subject);
    if (typeof item === 'string') return refuse(AuditOutcome.Refused, item, kind.warnEveryRefusal);
    return { item, audit: this.#record(entry, value, subject, AuditOutcome.Allowed, allowedBy, now, signed) };
  }

  #record(entry: Entry, value: unknown, callerid: string | undefined, outcome: AuditOutcome, reason: string, now: number, signed: Signed = { time: 0, verified: false }): AuditRecord {
    const { agent, action, data } = this.#kind.auditFields(value);
    const record: AuditRecord = {
      time: new Date(now).toISOString(),
      request_id: `${this.#kind.signedKind}:${entry.name}`,
      request_time: signed.time,
      callerid: callerid ?? 'unknown',
      verified: signed.verified,
      sender: callerid ?? 'unknown',
      collective: entry.collective,
      agent,
      action,
      data,
      outcome,
      reason: `${this.#kind.label} '${entry.name}': ${reason}`,
    };
    if (signed.key !== undefined) record.key = signed.key;
    return record;
  }

  // Audit a definition when it is first seen and when its outcome changes, not on every re-evaluation.
  #auditOnce(id: string, record: AuditRecord): void {
    const fingerprint = `${record.outcome}|${record.request_time}|${record.reason ?? ''}`;
    if (this.#audited.get(id) === fingerprint) return;
    this.#audited.set(id, fingerprint);
    this.#o.audit?.write(record);
  }
}
