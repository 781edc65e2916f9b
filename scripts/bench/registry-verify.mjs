// What verifying signed registry records costs a reader: N records, each
// signed by its node's own key with its own issuer certificate (a real fleet:
// two Ed25519 checks per record, nothing cached), read the way a one-shot
// `cohort` process reads the bucket (RegistryView.apply per entry), then the
// same with one key certified for every node (cohort-sim), and the cost
// without verification for comparison. No NATS: the records are made in
// memory, so this isolates the crypto and decoding.
//   node scripts/bench/registry-verify.mjs [N]      (default 10,000)
import { createSigner, encodeRegistryMessage, generateKeyPair, issueCertificate, publicKeyHex, RegistryTag, sealRegistration, TrustStore } from '@cohort/core';
import { RegistryView } from '@cohort/client';

function record(identity) {
  return {
    protocol: RegistryTag.Registration,
    identity,
    collectives: ['cohort'],
    facts: { role: 'web', os: { family: 'debian', release: '12' }, cpus: 8, country: 'de', datacenter: 'fra1', ipaddress: '10.0.0.1' },
    classes: ['base', 'apache', 'monitoring'],
    agents: ['echo', 'puppetral', 'rpcutil'],
    version: '0.1.0',
    started_at: Date.now(),
    time: Date.now(),
    interval: 60,
  };
}

/** Milliseconds to apply every entry to a fresh view (a fresh trust store: cold caches, as in a new CLI process). */
function readAll(entries, trust) {
  const view = new RegistryView('cohort_registry_cohort', trust);
  view.maxAgeMs = 180_000;
  const t0 = performance.now();
  for (const e of entries) view.apply(e);
  const ms = performance.now() - t0;
  if (view.nodes(Date.now()).length !== entries.length) throw new Error(`only ${view.nodes(Date.now()).length} of ${entries.length} records verified`);
  return ms;
}

/**
 * @param {number} n
 * @returns {{ n: number, perNodeKeysMs: number, sharedKeyMs: number, unverifiedMs: number }}
 */
export function registryVerifyMs(n) {
  const issuer = generateKeyPair();
  const trust = () => new TrustStore('node', new Map(), new Set([publicKeyHex(issuer.publicKey)]));
  const shared = generateKeyPair();
  const sharedHex = publicKeyHex(shared.publicKey);
  const perNode = [];
  const sharedKey = [];
  const plain = [];
  for (let i = 0; i < n; i++) {
    const identity = `node-${String(i).padStart(5, '0')}`;
    const own = generateKeyPair();
    const ownSigner = createSigner(own.privateKey, identity, issueCertificate(issuer.privateKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(own.publicKey) }));
    const simSigner = createSigner(shared.privateKey, identity, issueCertificate(issuer.privateKey, { kind: 'node', subject: identity, publicKey: sharedHex }));
    const r = record(identity);
    const entry = (value) => ({ key: identity, value, operation: 'PUT', created: Date.now() });
    perNode.push(entry(sealRegistration(r, ownSigner)));
    sharedKey.push(entry(sealRegistration(r, simSigner)));
    plain.push(entry(encodeRegistryMessage(r)));
  }
  return { n, perNodeKeysMs: readAll(perNode, trust()), sharedKeyMs: readAll(sharedKey, trust()), unverifiedMs: readAll(plain, undefined) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10000);
  const { loadavg } = await import('node:os');
  const r = registryVerifyMs(n);
  console.log(
    `${n} registry records: ${r.perNodeKeysMs.toFixed(0)} ms verified (own key + certificate per node), ` +
      `${r.sharedKeyMs.toFixed(0)} ms (one key, a certificate per node, as cohort-sim), ${r.unverifiedMs.toFixed(0)} ms unverified; load ${loadavg()[0].toFixed(2)}`,
  );
}
