import type { Agent, AgentLogger, ActionHandler, AgentSummary, UnloadedAgent } from '@cohort/agents';
import { outputDefaults, type Ddl, type DdlAction } from '@cohort/core';

/** One action ready to run: its DDL, implementation and pre-computed output defaults. */
export interface HostedAction {
  readonly ddl: DdlAction;
  readonly handler: ActionHandler;
  readonly defaults: Readonly<Record<string, unknown>>;
}

/** A loaded agent as the pipeline uses it. */
export interface HostedAgent {
  readonly name: string;
  readonly ddl: Ddl;
  readonly actions: ReadonlyMap<string, HostedAction>;
  /** Comma-separated action names, for "unknown action" replies. */
  readonly actionList: string;
  /** DDL `metadata.timeout` in milliseconds. */
  readonly timeoutMs: number;
  readonly log: AgentLogger;
  /** `builtin` or the plugin module file. */
  readonly source: string;
}

/** A version taken out of service by replace/remove: requests already running still use it; call `dispose` once they are done. */
export interface Retired {
  readonly agent: HostedAgent;
  readonly dispose: (() => Promise<void> | void) | undefined;
}

/** What the pipeline needs from the registry. */
export interface AgentLookup {
  get(name: string): HostedAgent | undefined;
}

/** Agents loaded on this node and agents found but not loaded (with reasons). */
export class AgentRegistry implements AgentLookup {
  readonly #loaded = new Map<string, HostedAgent>();
  readonly #unloaded: UnloadedAgent[] = [];
  readonly #disposers: Array<[name: string, dispose: () => Promise<void> | void]> = [];

  /** Host `agent` with its DDL. The caller has checked both describe the same actions. */
  add(agent: Agent, ddl: Ddl, source: string, log: AgentLogger): HostedAgent {
    const actions = new Map<string, HostedAction>();
    for (const a of ddl.actions) {
      const handler = agent.actions[a.action];
      if (handler) actions.set(a.action, { ddl: a, handler, defaults: Object.freeze(outputDefaults(a)) });
    }
    const hosted: HostedAgent = {
      name: agent.name,
      ddl,
      actions,
      actionList: [...actions.keys()].sort().join(', '),
      timeoutMs: ddl.metadata.timeout * 1000,
      log,
      source,
    };
    this.#loaded.set(agent.name, hosted);
    if (agent.dispose) this.#disposers.push([agent.name, agent.dispose]);
    return hosted;
  }

  /**
   * Host `agent` in place of the agent of the same name (a pushed plugin's
   * new version), or add it. Requests already running keep the old version
   * (they hold its HostedAgent); the old version's `dispose` is handed back,
   * not called, so the caller can run it once those requests are done.
   */
  replace(agent: Agent, ddl: Ddl, source: string, log: AgentLogger): { hosted: HostedAgent; retired: Retired | undefined } {
    const retired = this.#retire(agent.name);
    return { hosted: this.add(agent, ddl, source, log), retired };
  }

  /** Stop hosting `name` (a pushed plugin disabled or removed); its `dispose` is handed back as with replace. Undefined when it was not loaded. */
  remove(name: string): Retired | undefined {
    if (!this.#loaded.has(name)) return undefined;
    return this.#retire(name) ?? { agent: this.#loaded.get(name) as HostedAgent, dispose: undefined };
  }

  #retire(name: string): Retired | undefined {
    const previous = this.#loaded.get(name);
    if (!previous) return undefined;
    this.#loaded.delete(name);
    const at = this.#disposers.findIndex(([n]) => n === name);
    const dispose = at >= 0 ? this.#disposers.splice(at, 1)[0]?.[1] : undefined;
    return { agent: previous, dispose };
  }

  /** Record an agent that was found but not loaded. */
  reject(name: string, source: string, reason: string): void {
    this.#unloaded.push({ name, source, reason });
  }

  get(name: string): HostedAgent | undefined {
    return this.#loaded.get(name);
  }

  has(name: string): boolean {
    return this.#loaded.has(name);
  }

  /** Names of loaded agents, sorted. */
  names(): string[] {
    return [...this.#loaded.keys()].sort();
  }

  /** Loaded agents with their DDL metadata, sorted by name. */
  summaries(): AgentSummary[] {
    return this.names().map((name) => ({ name, metadata: (this.#loaded.get(name) as HostedAgent).ddl.metadata }));
  }

  unloaded(): readonly UnloadedAgent[] {
    return this.#unloaded;
  }

  /** Call every loaded agent's `dispose` once (at shutdown); a failure is reported to `onError`, never thrown. */
  async dispose(onError: (agent: string, err: unknown) => void): Promise<void> {
    const disposers = this.#disposers.splice(0);
    await Promise.all(
      disposers.map(async ([name, dispose]) => {
        try {
          await dispose();
        } catch (err) {
          onError(name, err);
        }
      }),
    );
  }
}
