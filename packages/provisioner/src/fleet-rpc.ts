import { errorMessage } from '@cohort/core';
import type { Bus } from '@cohort/client';
import type { Client } from '@cohort/client';
import type { RpcCall } from '@cohort/client';
import { watchLifecycle } from '@cohort/client';
import { isStale } from '@cohort/client';
import { NoReply, StepFailure, type FleetApi, type Where } from './fleet.js';
import type { MasterCandidate } from './master.js';

/**
 * The fleet over Cohort RPC: one client per collective (sharing one NATS
 * connection). Calls address exactly one node (no discovery) and end the
 * moment it replied. Masters come from the production registry (fresh
 * records only), else from broadcast discovery and `rpcutil inventory`.
 */

export interface RpcFleetOptions {
  readonly provisioning: Client;
  readonly production: Client;
  /** The connection both clients share (for lifecycle events). */
  readonly bus: Bus;
}

const isFacts = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function rpcFleet(options: RpcFleetOptions): FleetApi {
  const clients: Record<Where, Client> = { provisioning: options.provisioning, production: options.production };

  async function call(where: Where, identity: string, agent: string, action: string, data: Readonly<Record<string, unknown>>, timeoutS: number): Promise<Record<string, unknown>> {
    const client = clients[where];
    let rpc: RpcCall;
    try {
      rpc = client.rpc({ agent, action, data: { ...data }, nodes: [identity], timeout: timeoutS });
    } catch (err) {
      // The DDL refused the inputs (nothing was sent): another try sends the same.
      throw new StepFailure(`${agent} ${action}: ${errorMessage(err)}`, { retryable: false, cause: err });
    }
    let reply: { statuscode: number; statusmsg: string; data: Record<string, unknown> } | undefined;
    for await (const r of rpc) if (r.sender === identity && !r.unexpected) reply = r;
    if (!reply) throw new NoReply(`${identity} did not reply to ${agent} ${action} in the ${client.caller.collective} collective within ${timeoutS} s`);
    // 2 unknown action, 3 missing and 4 invalid data: the same request gets the same answer, so no retry.
    if (reply.statuscode !== 0) throw new StepFailure(`${agent} ${action} on ${identity} failed (status ${reply.statuscode}): ${reply.statusmsg}`, { retryable: ![2, 3, 4].includes(reply.statuscode) });
    return reply.data;
  }

  async function fromRegistry(agent: string): Promise<MasterCandidate[]> {
    const registry = await options.production.registry();
    if (registry.unavailable !== undefined) return [];
    const now = Date.now();
    return registry
      .nodes()
      .filter((n) => n.record.agents.includes(agent) && !isStale(n, now))
      .map((n) => ({ identity: n.identity, facts: n.record.facts as Record<string, unknown> }));
  }

  async function fromBroadcast(agent: string, timeoutS: number): Promise<MasterCandidate[]> {
    const ids = await options.production.discover({ agent: [agent] });
    if (ids.length === 0) return [];
    const out: MasterCandidate[] = [];
    for await (const r of options.production.rpc({ agent: 'rpcutil', action: 'inventory', nodes: ids, timeout: timeoutS })) {
      if (r.statuscode === 0 && !r.unexpected) out.push({ identity: r.sender, facts: isFacts(r.data['facts']) ? r.data['facts'] : {} });
    }
    return out;
  }

  return {
    call,
    async nodesWithAgent(agent, timeoutS) {
      const registered = await fromRegistry(agent);
      return registered.length > 0 ? registered : fromBroadcast(agent, timeoutS);
    },
    async waiting(agent) {
      return options.provisioning.discover({ agent: [agent] });
    },
    async answers(identity, timeoutS) {
      try {
        await call('production', identity, 'rpcutil', 'ping', {}, timeoutS);
        return true;
      } catch {
        return false;
      }
    },
    onAnnounce(fn) {
      const watch = watchLifecycle(options.bus, options.provisioning.caller.collective, (e) => {
        if (e.event === 'startup') fn(e.identity);
      });
      return { stop: () => watch.stop() };
    },
    async close() {
      await options.provisioning.close();
      await options.production.close();
    },
  };
}
