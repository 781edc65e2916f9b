import { cpuUsage, memoryUsage, pid } from 'node:process';
import { version } from '@cohort/core';
import { defineAgent } from '../define.js';
import type { RpcutilActions } from '../generated/index.js';
import { factAt, factNames } from './facts.js';

/**
 * rpcutil: information about the node and daemon, compatible with Choria's
 * rpcutil DDL (same actions, inputs and outputs). Discovery is `rpcutil ping`.
 */
export const rpcutil = defineAgent<RpcutilActions>({
  name: 'rpcutil',
  actions: {
    ping: () => ({ pong: Math.floor(Date.now() / 1000) }),

    collective_info: (_input, { node }) => ({ main_collective: node.collectives[0] ?? '', collectives: [...node.collectives] }),

    inventory: (_input, { node }) => ({
      agents: node.agents().map((a) => a.name),
      facts: node.facts(),
      classes: [...node.classes()],
      version,
      main_collective: node.collectives[0] ?? '',
      collectives: [...node.collectives],
      data_plugins: [...node.dataSources],
      machines: {},
      upgradable: false,
    }),

    agent_inventory: (_input, { node }) => ({
      agents: node.agents().map(({ name, metadata: m }) => ({
        agent: name,
        name: m.name,
        version: m.version,
        timeout: m.timeout,
        license: m.license,
        author: m.author,
        url: m.url,
        description: m.description,
      })),
    }),

    get_fact: ({ fact }, { node }) => ({ fact, value: factAt(node.facts(), fact) ?? null }),

    get_facts: ({ facts }, { node }) => {
      const all = node.facts();
      return { values: Object.fromEntries(factNames(facts).map((name) => [name, factAt(all, name) ?? null])) };
    },

    get_config_item: ({ item }, { node, fail }) => {
      const found = node.configItem(item);
      if (!found.found) return fail(`unknown config item '${item}'; ask for a dotted key such as 'identity' or 'nats.servers'`);
      return { item, value: found.value };
    },

    get_data: ({ source, query }, { node, fail }) => {
      const result = node.data(source, query ?? '');
      if (result === undefined) return fail(`unknown data source '${source}'; this node provides ${node.dataSources.join(', ') || 'none'}`);
      return result;
    },

    daemon_stats: (_input, { node }) => {
      const { dropped, templates, ...counters } = node.stats();
      const cpu = cpuUsage();
      const memory = memoryUsage();
      return {
        ...counters,
        dropped: { ...dropped },
        templates: { ...templates },
        unloaded_agents: Object.fromEntries(node.unloadedAgents().map((a) => [a.name, a.reason])),
        threads: [],
        agents: node.agents().map((a) => a.name),
        pid,
        times: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
        starttime: node.startTime,
        configfile: node.configFile ?? '',
        version,
        rss: memory.rss,
        heap_used: memory.heapUsed,
        event_loop_lag_ms: { ...(node.eventLoopLag?.() ?? { p50: 0, p99: 0, max: 0, window_s: 0 }) },
      };
    },
  },
});
