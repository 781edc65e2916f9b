import {
  AuditOutcome,
  checkDefinitionsBucket,
  checkDefinitionSpecProblem,
  CheckKind,
  checkOfSpec,
  errorMessage,
  keyId,
  openData,
  verifyData,
  type AuditRecord,
  type CheckDefinition,
  type CheckDefinitionSpec,
  type NodeView,
  type PolicyStore,
  type TrustStore,
} from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { AuditSink } from '../pipeline/audit.js';
import type { BucketWatcher, WatchedEntry } from '../bus/mine-watch.js';

/** The agent and action actionpolicy is asked about for a fleet-wide check definition. */
export const definePolicy = { agent: 'checks', action: 'define' } as const;

export interface BusCheckDefinitionsOptions {
  readonly collectives: readonly string[];
  readonly watch: (name: string, onEntry: (entry: WatchedEntry) => void, onError: (err: unknown) => void) => Promise<BucketWatcher>;
  readonly trust: () => TrustStore;
  readonly policies: PolicyStore | undefined;
  readonly audit: AuditSink | undefined;
  readonly view: () => NodeView;
  readonly log: Logger;
  readonly onChange: (checks: CheckDefinition[]) => void;
  readonly clock?: () => number;
}

interface Entry {
  readonly collective: string;
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Fleet-wide check definitions: watches each collective's
 * checkDefinitionsBucket and accepts a definition when (1) its signature
 * verifies against a trusted caller key, (2) actionpolicy allows its author
 * `checks#define` on this node (as if they had sent that request) and (3)
 * its settings parse (a bus definition never carries a plugin command, only
 * `nrpe:` names of the node's own NRPE config, expressions or Graphite
 * targets). Whether the node runs it is then up to its `apply_on`. Accepted
 * and refused definitions are audited once per change, as the mine's.
 */
export class BusCheckDefinitions {
  readonly #o: BusCheckDefinitionsOptions;
  readonly #clock: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #audited = new Map<string, string>();
  readonly #watchers: BucketWatcher[] = [];
  #checks: CheckDefinition[] = [];

  constructor(options: BusCheckDefinitionsOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
  }

  async start(): Promise<void> {
    await Promise.all(
      this.#o.collectives.map(async (collective) => {
        const bucket = checkDefinitionsBucket(collective);
        try {
          this.#watchers.push(await this.#o.watch(bucket, (e) => this.#changed(collective, e), (err) => this.#o.log.warn(`checks: ${errorMessage(err)}`)));
        } catch (err) {
          this.#o.log.warn(`checks: cannot watch fleet-wide definitions in ${bucket} (${errorMessage(err)}); only local checks run`);
        }
      }),
    );
  }

  checks(): CheckDefinition[] {
    return this.#checks;
  }

  /** Look at every definition again (policies may depend on facts and classes). */
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
    const checks = new Map<string, CheckDefinition>();
    for (const [id, entry] of this.#entries) {
      const d = this.#decide(entry);
      this.#auditOnce(id, d.audit);
      if ('def' in d) {
        if (checks.has(d.def.name)) this.#o.log.warn(`checks: definition '${d.def.name}' in collective ${entry.collective} ignored: already defined in another collective`);
        else checks.set(d.def.name, d.def);
      }
    }
    const list = [...checks.values()];
    if (JSON.stringify(list) === JSON.stringify(this.#checks)) return;
    this.#checks = list;
    this.#o.onChange(list);
  }

  #decide(entry: Entry): { def: CheckDefinition; audit: AuditRecord } | { reason: string; audit: AuditRecord } {
    const now = this.#clock();
    let opened: ReturnType<typeof openData>;
    try {
      opened = openData(entry.bytes);
    } catch (err) {
      const reason = `malformed definition: ${errorMessage(err)}`;
      this.#o.log.warn(`checks: refusing definition '${entry.name}' in ${entry.collective}: ${reason}`);
      return { reason, audit: this.#record(entry, undefined, undefined, AuditOutcome.Refused, reason, now) };
    }
    const verified = verifyData<CheckDefinitionSpec>(opened, this.#o.trust(), { kind: CheckKind.Definition, now, check: checkDefinitionSpecProblem });
    if (typeof verified === 'string') {
      this.#o.log.warn(`checks: refusing definition '${entry.name}' in ${entry.collective} from ${opened.body.subject}: ${verified}`);
      return { reason: verified, audit: this.#record(entry, opened.body.value, opened.body.subject, AuditOutcome.Refused, verified, now, { time: opened.body.time, verified: false }) };
    }
    const spec = verified.value;
    const signed = { time: verified.time, verified: true, key: keyId(verified.signer.key) };
    const refuse = (outcome: AuditOutcome, reason: string) => {
      this.#o.log.warn(`checks: refusing definition '${entry.name}' from ${verified.subject}: ${reason}`);
      return { reason, audit: this.#record(entry, spec, verified.subject, outcome, reason, now, signed) };
    };
    if (spec.name !== entry.name) return refuse(AuditOutcome.Refused, `stored under '${entry.name}' but names itself '${spec.name}'`);
    let allowedBy = 'authorization is off (security.policy_dir is not set)';
    if (this.#o.policies) {
      const decision = this.#o.policies.decide(definePolicy.agent, definePolicy.action, verified.subject, this.#o.view(), now);
      if (!decision.allowed) return refuse(AuditOutcome.Denied, decision.reason);
      allowedBy = decision.reason;
    }
    const def = checkOfSpec(spec, verified.subject);
    if (typeof def === 'string') return refuse(AuditOutcome.Refused, def);
    return { def, audit: this.#record(entry, spec, verified.subject, AuditOutcome.Allowed, allowedBy, now, signed) };
  }

  #record(
    entry: Entry,
    spec: unknown,
    callerid: string | undefined,
    outcome: AuditOutcome,
    reason: string,
    now: number,
    signed: { time: number; verified: boolean; key?: string } = { time: 0, verified: false },
  ): AuditRecord {
    const record: AuditRecord = {
      time: new Date(now).toISOString(),
      request_id: `check-definition:${entry.name}`,
      request_time: signed.time,
      callerid: callerid ?? 'unknown',
      verified: signed.verified,
      sender: callerid ?? 'unknown',
      collective: entry.collective,
      agent: definePolicy.agent,
      action: definePolicy.action,
      data: typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as Record<string, unknown>) : {},
      outcome,
      reason: `check definition '${entry.name}': ${reason}`,
    };
    if (signed.key !== undefined) record.key = signed.key;
    return record;
  }

  #auditOnce(id: string, record: AuditRecord): void {
    const fingerprint = `${record.outcome}|${record.request_time}|${record.reason ?? ''}`;
    if (this.#audited.get(id) === fingerprint) return;
    this.#audited.set(id, fingerprint);
    this.#o.audit?.write(record);
  }
}
