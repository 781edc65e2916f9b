// The node pipeline alone: CPU per request through cohortd's Processor
// (decode, verify, TTL, filter, lookup, validate, dispatch, reply encode) for
// an rpcutil ping, with no network: bursts of 1,000 requests, as a broadcast
// delivers them to a simulator process.
import { builtinAgents } from '@cohort/agents';
import { builtinDdlDir, emptyFilter, encode, ProtocolTag, replySubject } from '@cohort/core';
import { loadServerConfig } from '@cohort/agents';
import { silentLogger } from '@cohort/core/log';
import { AgentRegistry, loadAgents, Processor, simNode, simNodeInfo, simNodeView, Stats } from '@cohort/server';

/** Microseconds of CPU per request (median of 5 rounds of `requests`). */
export async function pipelineMicros(requests = 100000) {
  const { config } = loadServerConfig({ flags: {} });
  const log = silentLogger();
  const registry = new AgentRegistry();
  const spec = simNode('sim', 1);
  const stats = new Stats();
  const view = simNodeView(spec, ['rpcutil']);
  const node = simNodeInfo({ spec, view, config, startTime: 1, registry, stats });
  await loadAgents({ registry, builtin: builtinAgents, builtinDdlDir: builtinDdlDir(), pluginDirs: [], node, log });
  const processor = new Processor({ identity: spec.identity, maxBytes: 1 << 20, agents: registry, view: () => view, node, stats, publish: () => undefined, log, maxConcurrency: 16 });
  const bytes = encode({
    protocol: ProtocolTag.Request,
    id: 'a'.repeat(32),
    sender: 'bench',
    callerid: 'user=bench',
    collective: 'cohort',
    agent: 'rpcutil',
    action: 'ping',
    data: {},
    filter: { ...emptyFilter(), agent: ['rpcutil'] },
    ttl: 3600,
    time: Date.now(),
    // Nodes answer only on the caller's own reply subject for this request (docs/security.md).
    reply_to: replySubject('cohort', 'user=bench', 'a'.repeat(32)),
  });
  const arrival = { collective: 'cohort', agent: undefined };
  const burst = async (n) => {
    for (let i = 0; i < n; i += 1000) {
      const pending = [];
      for (let j = 0; j < 1000; j++) pending.push(processor.handle(bytes, arrival));
      await Promise.all(pending);
    }
  };
  await burst(20000);
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    await burst(requests);
    const c = process.cpuUsage(c0);
    rounds.push((c.user + c.system) / requests);
  }
  rounds.sort((a, b) => a - b);
  if (stats.replies !== 20000 + 5 * requests) throw new Error(`pipeline bench: ${stats.replies} replies for ${20000 + 5 * requests} requests (stats: ${JSON.stringify(stats)})`);
  return rounds[2];
}
