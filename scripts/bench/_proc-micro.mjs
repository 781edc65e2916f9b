// Processor cost per request, no network (what each virtual node pays on top of nats.js).
import { builtinAgents } from '@cohort/agents';
import { builtinDdlDir, encode, ProtocolTag, emptyFilter, loadServerConfig } from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { AgentRegistry, loadAgents, Processor, Stats, simNode } from '@cohort/server';
import { simNodeInfo, simNodeView } from '../../packages/server/dist/sim/node-info.js';
const { config } = loadServerConfig({ flags: {} });
const log = silentLogger();
const registry = new AgentRegistry();
const spec = simNode('sim', 1);
const stats = new Stats();
const view = simNodeView(spec, ['rpcutil']);
const node = simNodeInfo({ spec, view, config, startTime: 1, registry, stats });
await loadAgents({ registry, builtin: builtinAgents, builtinDdlDir: builtinDdlDir(), pluginDirs: [], node, log });
let published = 0;
const p = new Processor({ identity: spec.identity, maxBytes: 1 << 20, agents: registry, view: () => view, node, stats, publish: () => published++, log, maxConcurrency: 16 });
const bytes = encode({ protocol: ProtocolTag.Request, id: 'a'.repeat(32), sender: 'b', callerid: 'user=b', collective: 'cohort', agent: 'rpcutil', action: 'ping', data: {}, filter: { ...emptyFilter(), agent: ['rpcutil'] }, ttl: 60, time: Date.now(), reply_to: 'cohort.reply.x.y' });
const arrival = { collective: 'cohort', agent: undefined };
const reps = Number(process.argv[2] ?? 200000);
for (let i = 0; i < 20000; i++) await p.handle(bytes, arrival);
const c0 = process.cpuUsage(); const t0 = performance.now();
// Fire in batches of 1000 like a burst on 1000 connections.
for (let i = 0; i < reps; i += 1000) { const ps = []; for (let j = 0; j < 1000; j++) ps.push(p.handle(bytes, arrival)); await Promise.all(ps); }
const c = process.cpuUsage(c0);
console.log('µs/request', ((c.user + c.system) / reps).toFixed(2), 'wall µs', ((performance.now() - t0) * 1000 / reps).toFixed(2), 'published', published);
