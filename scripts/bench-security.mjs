#!/usr/bin/env node
// Cost of security on the node's hot path, per request (median of rounds):
// decoding a plain request vs decoding + verifying a signed one (trusted key
// file, and issuer certificate), the replay check, and signing a reply.
//   node scripts/bench-security.mjs [--n 5000]
import {
  createSigner,
  emptyFilter,
  encode,
  encodeRequest,
  filterSizeProblem,
  generateKeyPair,
  isCallerReplySubject,
  issueCertificate,
  newRequestId,
  openRequest,
  ProtocolTag,
  publicKeyHex,
  ReplayCache,
  replySubject,
  sealReply,
  TrustStore,
  verifyRequest,
} from '@cohort/core';

const nArg = process.argv.indexOf('--n');
const n = nArg > 0 ? Number(process.argv[nArg + 1]) : 5000;

const request = (id = newRequestId()) => ({
  protocol: ProtocolTag.Request, id, sender: 'ops', callerid: 'user=alice', collective: 'cohort', agent: 'rpcutil', action: 'get_fact',
  data: { fact: 'os.family' }, filter: { ...emptyFilter(), agent: ['rpcutil'] }, ttl: 60, time: Date.now(), reply_to: replySubject('cohort', 'user=alice', id),
});
const alice = generateKeyPair();
const issuer = generateKeyPair();
const keySigner = createSigner(alice.privateKey, 'user=alice');
const certSigner = createSigner(alice.privateKey, 'user=alice', issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'user=alice', publicKey: publicKeyHex(alice.publicKey) }));
const byKey = new TrustStore('caller', new Map([[publicKeyHex(alice.publicKey), 'user=alice']]), new Set());
const byIssuer = new TrustStore('caller', new Map(), new Set([publicKeyHex(issuer.publicKey)]));

function time(label, make, fn) {
  const inputs = Array.from({ length: n }, make);
  for (let i = 0; i < Math.min(200, n); i++) fn(inputs[i]); // warm up
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (const x of inputs) fn(x);
    rounds.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  rounds.sort((a, b) => a - b);
  console.log(`${label.padEnd(58)} ${rounds[2].toFixed(1).padStart(7)} µs`);
}

const now = Date.now();
console.log(`Security cost per message (node ${process.version}, ${n} messages x 5 rounds, median)\n`);
time('decode a plain request (baseline)', () => encode(request()), (b) => openRequest(b));
time('decode + verify, trusted key file', () => encodeRequest(request(), keySigner), (b) => {
  if (typeof verifyRequest(openRequest(b), byKey, now) === 'string') throw new Error('did not verify');
});
time('decode + verify, issuer certificate (cached after first)', () => encodeRequest(request(), certSigner), (b) => {
  if (typeof verifyRequest(openRequest(b), byIssuer, now) === 'string') throw new Error('did not verify');
});
const cache = new ReplayCache(1_000_000);
time('replay check (new id)', () => newRequestId(), (id) => cache.check(id, now + 60_000, now));
const callers = new ReplayCache(1_000_000, 200_000);
time('replay check with a per-caller share (new id)', () => newRequestId(), (id) => callers.check(id, now + 60_000, now, 'user=alice'));
// Issue 12: reply subject rule, signed target list, filter size limits, per request.
time('hardening checks (reply subject, targets, filter size)', () => ({ ...request(), targets: ['web1', 'web2', 'web3'] }), (r) => {
  if (!isCallerReplySubject(r.collective, r.callerid, r.id, r.reply_to) || !r.targets.includes('web2') || filterSizeProblem(r.filter) !== undefined) throw new Error('refused');
});
const reply = { protocol: ProtocolTag.Reply, request_id: newRequestId(), sender: 'web1', agent: 'rpcutil', action: 'ping', statuscode: 0, statusmsg: 'OK', data: { pong: 1 }, time: now };
time('encode a plain reply (baseline)', () => reply, (r) => encode(r));
time('sign + encode a reply (node key)', () => reply, (r) => encode(sealReply(r, keySigner)));
time('client: sign + encode a request', () => request(), (r) => encodeRequest(r, keySigner));
