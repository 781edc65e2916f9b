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
 * moment it replied. Masters come only from verified nodes: the production
 * registry's fresh records signed by the node they describe, else broadcast
 * discovery and `rpcutil inventory` with every reply verified. Without
 * trusted node keys there is no master (a fake registry record or reply
 * could otherwise make any host the master a new node trusts).
 */

export interface RpcFleetOptions {
  readonly provisioning: Client;
  readonly production: Client;
  /** The connection both clients share (for lifecycle events). */
  readonly bus: Bus;
  /**
   * The production collective again, verifying every reply (`verifyReplies`):
   * masters/CAs are found and called through it, so neither a forged registry
   * record nor a forged reply can make a host the master or hand a node a
   * certificate. Without it (no trusted node keys) no master is found.
   */
  readonly verified?: Client | undefined;
}

const isFacts = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function rpcFleet(options: RpcFleetOptions): FleetApi {
  const clients: Record<Where, Client> = { provisioning: options.provisioning, production: options.production };
  // Agents the masters/CAs are found by: production calls to them go through the verifying client.
  const masterAgents = new Set<string>();

  async function call(where: Where, identity: string, agent: string, action: string, data: Readonly<Record<string, unknown>>, timeoutS: number): Promise<Record<string, unknown>> {
    const client = where === 'production' && masterAgents.has(agent) && options.verified ? options.verified : clients[where];
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
    const registry = await (options.verified ?? options.production).registry();
    if (registry.unavailable !== undefined || !registry.verified) return [];
    const now = Date.now();
    return registry
      .nodes()
      .filter((n) => n.verified && n.record.agents.includes(agent) && !isStale(n, now))
      .map((n) => ({ identity: n.identity, facts: n.record.facts as Record<string, unknown> }));
  }

  async function fromBroadcast(agent: string, timeoutS: number): Promise<MasterCandidate[]> {
    const verified = options.verified;
    if (!verified?.verifiesReplies) {
      throw new StepFailure(
        `no verified ${agent} node: masters/CAs are taken only from nodes whose registry record or reply verifies, and the provisioner has no trusted node keys ` +
          '(issuers or node_keys_dir in its client config, or a key certified by the issuer)',
      );
    }
    const ids = await verified.discover({ agent: [agent] });
    if (ids.length === 0) return [];
    const out: MasterCandidate[] = [];
    for await (const r of verified.rpc({ agent: 'rpcutil', action: 'inventory', nodes: ids, timeout: timeoutS })) {
      // Replies that do not verify never reach this loop (the client verifies every reply).
      if (r.statuscode === 0 && !r.unexpected) out.push({ identity: r.sender, facts: isFacts(r.data['facts']) ? r.data['facts'] : {} });
    }
    return out;
  }

  return {
    call,
    async nodesWithAgent(agent, timeoutS) {
      masterAgents.add(agent);
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
      // Nodes waiting to be provisioned have no certified key yet, so their startup
      // events are unverified hints: they only make the provisioner look at the
      // node sooner (it would find it at the next discovery anyway); nothing is
      // trusted because of them.
      const watch = watchLifecycle(
        options.bus,
        options.provisioning.caller.collective,
        (e) => {
          if (e.event === 'startup') fn(e.identity);
        },
        undefined,
      );
      return { stop: () => watch.stop() };
    },
    async close() {
      await options.provisioning.close();
      await options.production.close();
      await options.verified?.close();
    },
  };
}
