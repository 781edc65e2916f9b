#!/usr/bin/env node
// One cohortd Processor set up as a real daemon is (createNodeSecurity from a
// server config: node key with its certificate, replay cache; --signed: signed
// mode, trusting an issuer that certified the caller's key), served rpcutil
// pings in-process (no network), each with its own id, time and reply_to as
// the client library sends them. Prints the median CPU per request
// (process.cpuUsage) of --rounds rounds of --requests, and, with --sign-only,
// what signing a reply-sized text alone costs, so the rest is the pipeline.
// The envelopes are made (and, --signed, sealed by the caller) outside the
// measured span.
//   node scripts/bench/pipeline-signed.mjs [--signed] [--rounds 9] [--requests 5000] [--cpu-prof-self]
// Copy it into another checkout's scripts/bench/ to measure that build.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtinAgents, loadServerConfig } from '@cohort/agents';
import { builtinDdlDir, createSigner, emptyFilter, encodeRequest, generateKeyPair, issueCertificate, ProtocolTag, publicKeyHex, replySubject, signText, writeKeyPair } from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { AgentRegistry, createNodeSecurity, loadAgents, Processor, simNode, simNodeInfo, simNodeView, Stats } from '@cohort/server';
import { benchIssuer, certifiedNodeKey, removeBenchIssuer } from './trust.mjs';

const { values } = parseArgs({ options: { signed: { type: 'boolean' }, rounds: { type: 'string', default: '9' }, requests: { type: 'string', default: '5000' } } });
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const dir = mkdtempSync(join(tmpdir(), 'cohort-pipeline-signed-'));
try {
  const spec = simNode('sim', 1);
  const base = loadServerConfig({ flags: {} }).config;
  const config = {
    ...base,
    identity: spec.identity,
    // Room in the replay cache for every request of the run (one caller sends them all).
    security: { ...base.security, replay_cache_size: 1_000_000, replay_per_caller: 1, mode: values.signed ? 'signed' : 'unsigned', node_key: certifiedNodeKey(dir, spec.identity), ...(values.signed ? { issuers: [benchIssuer().publicFile] } : {}) },
  };
  const log = silentLogger();
  const security = createNodeSecurity(config, log);
  const registry = new AgentRegistry();
  const stats = new Stats();
  const view = simNodeView(spec, ['rpcutil']);
  const node = simNodeInfo({ spec, view, config, startTime: 1, registry, stats });
  await loadAgents({ registry, builtin: builtinAgents, builtinDdlDir: builtinDdlDir(), pluginDirs: [], node, log });
  let bytesOut = 0;
  const processor = new Processor({
    identity: spec.identity,
    maxBytes: config.max_message_bytes,
    agents: registry,
    view: () => view,
    node,
    stats,
    publish: (_subject, bytes) => void (bytesOut += bytes.byteLength),
    log,
    maxConcurrency: config.max_concurrency,
    maxQueue: config.max_queue,
    security,
    freshness: { maxTtl: config.security.max_ttl, maxSkewMs: config.security.max_clock_skew * 1000, startedAt: Date.now() - 1000 },
  });
  // The caller: a key certified by the same issuer (as `cohort keys sign` makes), sent with every request.
  const caller = generateKeyPair();
  writeKeyPair(join(dir, 'bench'), caller);
  const signer = values.signed
    ? createSigner(caller.privateKey, 'user=bench', issueCertificate(benchIssuer().privateKey, { kind: 'caller', subject: 'user=bench', publicKey: publicKeyHex(caller.publicKey), expiresAt: Date.now() + 86_400_000 }))
    : undefined;
  let seq = 0;
  const envelope = () => {
    const id = (++seq).toString(16).padStart(32, '0');
    return encodeRequest(
      { protocol: ProtocolTag.Request, id, sender: 'bench', callerid: 'user=bench', collective: 'cohort', agent: 'rpcutil', action: 'ping', data: {}, filter: emptyFilter(), ttl: 60, time: Date.now(), reply_to: replySubject('cohort', 'user=bench', id), targets: [spec.identity] },
      signer,
    );
  };
  const arrival = { collective: 'cohort', agent: undefined };
  const round = (n) => {
    const msgs = Array.from({ length: n }, envelope);
    const c0 = process.cpuUsage();
    for (const m of msgs) void processor.handle(m, arrival);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  round(requests);
  const xs = [];
  for (let r = 0; r < rounds; r++) xs.push(round(requests));
  const want = (rounds + 1) * requests;
  if (stats.replies !== want) throw new Error(`${stats.replies} replies for ${want} requests (stats: ${JSON.stringify(stats.snapshot?.() ?? stats)})`);
  // The reply's signature alone, over a text of the reply's size.
  const text = JSON.stringify({ protocol: ProtocolTag.Reply, request_id: '0'.repeat(32), sender: spec.identity, agent: 'rpcutil', action: 'ping', statuscode: 0, statusmsg: 'OK', data: { pong: 1763760000 }, time: Date.now() });
  const key = caller.privateKey;
  const sig = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < requests; i++) signText(key, text);
    const c = process.cpuUsage(c0);
    sig.push((c.user + c.system) / requests);
  }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(`${values.signed ? 'signed' : 'unsigned'} requests: ${med(xs).toFixed(1)} µs CPU per request (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}); one Ed25519 signature ${med(sig).toFixed(1)} µs; ${(bytesOut / want).toFixed(0)} reply bytes`);
  security.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
  removeBenchIssuer();
}
