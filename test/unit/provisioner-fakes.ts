// Test doubles behind the provisioner's own interfaces (StateStore, FleetApi,
// Time, ProvisionerLog). Not a test file itself.
import {
  NoReply,
  StepFailure,
  decodeRecord,
  encodeRecord,
  pipelineFromValues,
  type FleetApi,
  type MasterCandidate,
  type NodeRecord,
  type Pipeline,
  type ProvisionerLog,
  type StateEntry,
  type StateStore,
  type Time,
  type Where,
} from '../../packages/provisioner/src/index.ts';

/** Time that moves only when slept through or advanced. */
export class ManualTime implements Time {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
  every(): { stop(): void } {
    return { stop() {} };
  }
}

/** A compare-and-set key-value store in memory (records are copied through the codec, as on the wire). */
export class MemoryStore implements StateStore {
  readonly name = 'memory store';
  readonly data = new Map<string, { bytes: Uint8Array; revision: number }>();
  revision = 0;
  writes = 0;
  async get(identity: string): Promise<StateEntry | undefined> {
    const e = this.data.get(identity);
    const record = e && decodeRecord(e.bytes);
    return e && record ? { record, revision: e.revision } : undefined;
  }
  async create(record: NodeRecord): Promise<number | undefined> {
    if (this.data.has(record.identity)) return undefined;
    return this.put(record);
  }
  async update(record: NodeRecord, revision: number): Promise<number | undefined> {
    if (this.data.get(record.identity)?.revision !== revision) return undefined;
    return this.put(record);
  }
  async list(): Promise<StateEntry[]> {
    const out: StateEntry[] = [];
    for (const id of [...this.data.keys()].sort()) {
      const e = await this.get(id);
      if (e) out.push(e);
    }
    return out;
  }
  async remove(identity: string): Promise<void> {
    this.data.delete(identity);
  }
  async close(): Promise<void> {}
  record(identity: string): NodeRecord | undefined {
    const e = this.data.get(identity);
    return e && decodeRecord(e.bytes);
  }
  private put(record: NodeRecord): number {
    this.writes++;
    this.data.set(record.identity, { bytes: encodeRecord(record), revision: ++this.revision });
    return this.revision;
  }
}

export interface FakeCall {
  where: Where;
  identity: string;
  agent: string;
  action: string;
  data: Readonly<Record<string, unknown>>;
}

type Handler = (call: FakeCall) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * A fleet of scripted nodes: a provision agent on waiting nodes, a ca agent
 * on masters. `fail` makes an action fail a number of times (or always).
 */
export class FakeFleet implements FleetApi {
  readonly calls: FakeCall[] = [];
  readonly masters: MasterCandidate[] = [];
  readonly nodeFacts = new Map<string, Record<string, unknown>>();
  readonly production = new Set<string>();
  readonly failures = new Map<string, number>();
  readonly handlers = new Map<string, Handler>();
  waitingNodes: string[] = [];
  announce: ((identity: string) => void) | undefined;

  /** Make `agent.action` fail `times` times (Infinity: always); `noReply` simulates silence. */
  fail(action: string, times = Infinity, noReply = false): void {
    this.failures.set(action, times);
    if (noReply) this.handlers.set(`noreply:${action}`, () => ({}));
  }

  async call(where: Where, identity: string, agent: string, action: string, data: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const call = { where, identity, agent, action, data };
    this.calls.push(call);
    const left = this.failures.get(action) ?? 0;
    if (left > 0) {
      this.failures.set(action, left - 1);
      if (this.handlers.has(`noreply:${action}`)) throw new NoReply(`${identity} did not reply to ${agent} ${action}`);
      throw new StepFailure(`${agent} ${action} on ${identity} failed (status 1): scripted failure`);
    }
    const custom = this.handlers.get(action);
    if (custom) return custom(call);
    return this.default(call);
  }

  private default(c: FakeCall): Record<string, unknown> {
    switch (`${c.agent}.${c.action}`) {
      case 'rpcutil.inventory':
        return { facts: this.nodeFacts.get(c.identity) ?? {} };
      case 'rpcutil.ping':
        if (!this.production.has(c.identity)) throw new NoReply(`${c.identity} did not reply`);
        return { pong: 1 };
      case 'provision.lock':
        return { locked: true, lock_owner: c.data['owner'], expires: 0 };
      case 'provision.gencsr':
        return { csr: `CSR(${c.identity})`, certname: c.identity, public_key: 'PUB', ssl_dir: '/ssl' };
      case 'ca.sign':
        return { certificate: `CERT(${String(c.data['certname'])} by ${c.identity})`, ca: 'CA', serial: '01' };
      case 'provision.install_cert':
        return { installed: true, changed: true, fingerprint: `FP(${c.identity})` };
      case 'provision.restart':
        this.production.add(c.identity);
        return { restarting: true };
      case 'ca.clean':
        return { cleaned: true };
      default:
        return {};
    }
  }

  /** The actions called on one node, in order (`provision.lock`, ...). */
  actions(identity: string): string[] {
    return this.calls.filter((c) => c.identity === identity).map((c) => `${c.agent}.${c.action}`);
  }

  async nodesWithAgent(): Promise<MasterCandidate[]> {
    return [...this.masters];
  }
  async waiting(): Promise<string[]> {
    return [...this.waitingNodes];
  }
  async answers(identity: string): Promise<boolean> {
    return this.call('production', identity, 'rpcutil', 'ping', {}).then(
      () => true,
      () => false,
    );
  }
  onAnnounce(fn: (identity: string) => void): { stop(): void } {
    this.announce = fn;
    return { stop: () => (this.announce = undefined) };
  }
  async close(): Promise<void> {}
}

/** A log that keeps its lines. */
export class RecordingLog implements ProvisionerLog {
  readonly lines: string[] = [];
  error(m: string): void {
    this.lines.push(`error ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  debug(m: string): void {
    this.lines.push(`debug ${m}`);
  }
}

/** A pipeline with fast, small settings, overridable. */
export function testPipeline(extra: Record<string, unknown> = {}): Pipeline {
  return pipelineFromValues({
    name: 'prov-a',
    state: { lease: 30, max_attempts: 2, retry_delay: 5, cooldown: 600 },
    backoff: { initial: 0.01, max: 0.05 },
    steps: {
      choose_master: { criteria: ['region', 'country'] },
      configure: { template: 'identity: {{identity}}\ncollectives: [{{collective}}]\nfacts_region: {{facts.region|json}}\nmaster: {{master}}\n' },
      verify: { timeout: 5 },
    },
    notify: [],
    ...extra,
  });
}
