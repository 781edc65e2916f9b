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
