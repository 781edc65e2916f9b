import {
  AuditOutcome,
  definitionFunction,
  errorMessage,
  keyId,
  matchFilter,
  mineDefinitionProblem,
  mineDefinitionsBucket,
  MineKind,
  openData,
  verifyData,
  type AuditRecord,
  type MineDefinition,
  type MineFunction,
  type NodeView,
  type PolicyStore,
  type TrustStore,
} from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { AuditSink } from '../pipeline/audit.js';
import type { BucketWatcher, WatchedEntry } from '../bus/mine-watch.js';

export interface BusDefinitionsOptions {
  readonly collectives: readonly string[];
  readonly watch: (name: string, onEntry: (entry: WatchedEntry) => void, onError: (err: unknown) => void) => Promise<BucketWatcher>;
  /** Trusted callers (the same store that verifies requests). */
  readonly trust: () => TrustStore;
  readonly policies: PolicyStore | undefined;
  readonly audit: AuditSink | undefined;
  readonly view: () => NodeView;
  readonly log: Logger;
  readonly onChange: (functions: MineFunction[]) => void;
  readonly clock?: () => number;
}

interface Entry {
  readonly collective: string;
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The outcome of looking at one definition: run it (function), or not (reason), and whether to audit. */
type Decision = { fn: MineFunction; audit: AuditRecord } | { reason: string; audit: AuditRecord | undefined };

/**
 * Fleet-wide mine definitions (`cohort mine define`): watches each
 * collective's definitions bucket and turns definitions into functions of
 * this node when (1) the signature verifies against a trusted caller key,
 * (2) the node matches the definition's filter and (3) actionpolicy allows
 * the author the action here, exactly as if they had sent the request.
 * Accepted and refused definitions are audited (once per change); a
 * definition never carries a command. Re-evaluated when facts change.
 */
export class BusDefinitions {
  readonly #o: BusDefinitionsOptions;
  readonly #clock: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #audited = new Map<string, string>();
  readonly #watchers: BucketWatcher[] = [];
  #functions: MineFunction[] = [];

  constructor(options: BusDefinitionsOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
  }

  /** Start watching every collective's definitions (failures are logged; the local functions run regardless). */
  async start(): Promise<void> {
    await Promise.all(
      this.#o.collectives.map(async (collective) => {
        const bucket = mineDefinitionsBucket(collective);
        try {
          this.#watchers.push(await this.#o.watch(bucket, (e) => this.#changed(collective, e), (err) => this.#o.log.warn(`mine: ${errorMessage(err)}`)));
        } catch (err) {
          this.#o.log.warn(`mine: cannot watch fleet-wide definitions in ${bucket} (${errorMessage(err)}); only local functions run`);
        }
      }),
    );
  }

  /** The accepted definitions as functions. */
  functions(): MineFunction[] {
    return this.#functions;
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
    const functions = new Map<string, MineFunction>();
    for (const [id, entry] of this.#entries) {
      const d = this.#decide(entry);
      if (d.audit) this.#auditOnce(id, d.audit);
      if ('fn' in d) {
        if (functions.has(d.fn.name)) this.#o.log.warn(`mine: definition '${d.fn.name}' in collective ${entry.collective} ignored: already defined in another collective`);
        else functions.set(d.fn.name, d.fn);
      } else {
        this.#o.log.debug(`mine: definition '${entry.name}' in ${entry.collective} not run: ${d.reason}`);
      }
    }
    const list = [...functions.values()];
    if (JSON.stringify(list) === JSON.stringify(this.#functions)) return;
    this.#functions = list;
    this.#o.onChange(list);
  }

  #decide(entry: Entry): Decision {
    const now = this.#clock();
    let opened: ReturnType<typeof openData>;
    try {
      opened = openData(entry.bytes);
    } catch (err) {
      const reason = `malformed definition: ${errorMessage(err)}`;
      return { reason, audit: this.#record(entry, undefined, undefined, AuditOutcome.Refused, reason, now) };
    }
    const claimed = opened.body.value as Partial<MineDefinition>;
    const verified = verifyData<MineDefinition>(opened, this.#o.trust(), { kind: MineKind.Definition, now, check: mineDefinitionProblem });
    if (typeof verified === 'string') {
      this.#o.log.warn(`mine: refusing definition '${entry.name}' in ${entry.collective} from ${opened.body.subject}: ${verified}`);
      return { reason: verified, audit: this.#record(entry, claimed, opened.body.subject, AuditOutcome.Refused, verified, now, { time: opened.body.time, verified: false }) };
    }
    const def = verified.value;
    const signed = { time: verified.time, verified: true, key: keyId(verified.signer.key) };
    if (def.name !== entry.name) {
      const reason = `stored under '${entry.name}' but names itself '${def.name}'`;
      return { reason, audit: this.#record(entry, def, verified.subject, AuditOutcome.Refused, reason, now, signed) };
    }
    const view = this.#o.view();
    let matches: boolean;
    try {
      matches = matchFilter(def.filter, view);
    } catch (err) {
      return { reason: `its filter cannot be evaluated: ${errorMessage(err)}`, audit: undefined };
    }
    if (!matches) return { reason: 'this node does not match its filter', audit: undefined };
    const policies = this.#o.policies;
    let allowedBy = 'authorization is off (security.policy_dir is not set)';
    if (policies) {
      const decision = policies.decide(def.agent, def.action, verified.subject, view, now);
      if (!decision.allowed) {
        this.#o.log.warn(`mine: refusing definition '${def.name}' from ${verified.subject}: ${decision.reason}`);
        return { reason: decision.reason, audit: this.#record(entry, def, verified.subject, AuditOutcome.Denied, decision.reason, now, signed) };
      }
      allowedBy = decision.reason;
    }
    const fn = definitionFunction(def, verified.subject);
    if (typeof fn === 'string') return { reason: fn, audit: this.#record(entry, def, verified.subject, AuditOutcome.Refused, fn, now, signed) };
    return { fn: { ...fn, definedBy: verified.subject }, audit: this.#record(entry, def, verified.subject, AuditOutcome.Allowed, allowedBy, now, signed) };
  }

  #record(
    entry: Entry,
    def: Partial<MineDefinition> | undefined,
    callerid: string | undefined,
    outcome: AuditOutcome,
    reason: string,
    now: number,
    signed: { time: number; verified: boolean; key?: string } = { time: 0, verified: false },
  ): AuditRecord {
    const record: AuditRecord = {
      time: new Date(now).toISOString(),
      request_id: `mine-definition:${entry.name}`,
      request_time: signed.time,
      callerid: callerid ?? 'unknown',
      verified: signed.verified,
      sender: callerid ?? 'unknown',
      collective: entry.collective,
      agent: typeof def?.agent === 'string' ? def.agent : 'unknown',
      action: typeof def?.action === 'string' ? def.action : 'unknown',
      data: typeof def?.inputs === 'object' && def.inputs !== null ? def.inputs : {},
      outcome,
      reason: `mine definition '${entry.name}': ${reason}`,
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
