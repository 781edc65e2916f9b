#!/usr/bin/env node
// cohortd's request pipeline as a simulator process runs it, without the
// network: 1,000 Processors (one per virtual node, as cohort-sim), each
// handed its own unsigned rpcutil ping envelope naming just it (as the client
// sends them), all of one request id, in rounds. Prints the median CPU per
// request (process.cpuUsage, so GC threads count; the envelopes are made
// outside the measured span). Unlike pipeline.mjs (one Processor, one
// envelope), caches see a thousand nodes' state.
//   node scripts/bench/pipeline-fleet.mjs [rounds, default 200]
// Copy it into another checkout's scripts/bench/ to measure that build.
import { builtinAgents } from '@cohort/agents';
import { builtinDdlDir, emptyFilter, encode, ProtocolTag, replySubject } from '@cohort/core';
import { loadServerConfig } from '@cohort/agents';
import { silentLogger } from '@cohort/core/log';
import { AgentRegistry, loadAgents, Processor, simNode, simNodeInfo, simNodeView, Stats } from '@cohort/server';
const N = 1000;
const { config } = loadServerConfig({ flags: {} });
const log = silentLogger();
const registry = new AgentRegistry();
const s1 = simNode('sim', 1);
await loadAgents({ registry, builtin: builtinAgents, builtinDdlDir: builtinDdlDir(), pluginDirs: [], node: simNodeInfo({ spec: s1, view: simNodeView(s1, []), config, startTime: 1, registry, stats: new Stats() }), log });
let sent = 0;
const procs = [];
for (let i = 1; i <= N; i++) {
  const spec = simNode('sim', i);
  const stats = new Stats();
  const view = simNodeView(spec, registry.names());
  const node = simNodeInfo({ spec, view, config, startTime: 1, registry, stats });
  const p = new Processor({ identity: spec.identity, maxBytes: 1 << 20, agents: registry, view: () => view, node, stats, publish: () => void sent++, log, maxConcurrency: config.max_concurrency });
  procs.push({ p, id: spec.identity });
}
const arrival = { collective: 'cohort', agent: undefined };
const mk = (id, target) => encode({ protocol: ProtocolTag.Request, id, sender: 'vm', callerid: 'user=bench', collective: 'cohort', agent: 'rpcutil', action: 'ping', data: {}, filter: { ...emptyFilter(), agent: ['rpcutil'] }, ttl: 60, time: Date.now(), reply_to: replySubject('cohort', 'user=bench', id), targets: [target] });
const round = async () => {
  const id = Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32);
  const msgs = procs.map(({ id: t }) => mk(id, t));
  const c0 = process.cpuUsage();
  await Promise.all(procs.map(({ p }, i) => p.handle(msgs[i], arrival)));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / N;
};
for (let i = 0; i < 50; i++) await round();
const xs = [];
for (let i = 0; i < Number(process.argv[2] ?? 200); i++) xs.push(await round());
xs.sort((a, b) => a - b);
console.log(`pipeline, ${N} processors: ${xs[xs.length >> 1].toFixed(2)} µs CPU/request (p25 ${xs[xs.length >> 2].toFixed(2)}), replies ${sent}`);
