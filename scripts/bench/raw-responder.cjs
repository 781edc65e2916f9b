#!/usr/bin/env node
// The floor's responders: `--count N` plain nats.js connections in this
// process, each subscribed to `--subject` and replying with a fixed payload
// the size of a Cohort ping reply. No Cohort code at all.
//   node raw-responder.cjs --nats URL --count N --subject bench.ping [--first I] [--direct] [--sign]
// --direct: each connection also answers on its own subject,
// bench.direct.raw-<index> (index from --first, default 0), as a node
// answers on its node subject (the direct-addressed floor of ba.mjs).
// --sign: each reply is a fresh text signed with an Ed25519 key (as a node
// signs its replies), wrapped in a JSON envelope with the public key (no
// certificate); signed by libsodium (sodium-native, as cohortd signs) unless
// COHORT_ED25519=openssl, or the addon does not load: then by OpenSSL. Prints
// which on stderr.
// Prints "ready N" once every connection is subscribed; SIGTERM closes them.
// CommonJS, as cohortd is: an ES module entry point would load node's ESM
// loader (~2 MB of RSS, docs/performance.md "Idle RSS"), which no daemon has.
'use strict';
const { createPublicKey, generateKeyPairSync, sign } = require('node:crypto');
const { join } = require('node:path');
const { connect } = require('nats');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const url = arg('nats');
const count = Number(arg('count', '100'));
const subject = arg('subject', 'bench.ping');
const first = Number(arg('first', '0'));
const direct = process.argv.includes('--direct');
const concurrency = 50;
const signing = process.argv.includes('--sign') ? generateKeyPairSync('ed25519').privateKey : undefined;
// The raw 32-byte key is the end of its DER (SPKI) encoding.
const publicKey = signing ? createPublicKey(signing).export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex') : undefined;
const encoder = new TextEncoder();

/** libsodium's detached signature with the same key (Ed25519 is deterministic: the same bytes as OpenSSL's), or undefined. */
function sodiumSigner() {
  if (!signing || process.env.COHORT_ED25519 === 'openssl') return undefined;
  let sodium;
  try {
    // Where @cohort/core finds it (pnpm does not hoist it to the root).
    sodium = require(require.resolve('sodium-native', { paths: [join(__dirname, '../../packages/core')] }));
  } catch (err) {
    process.stderr.write(`raw-responder: sodium-native does not load (${String(err).split('\n')[0]}): signing with OpenSSL\n`);
    return undefined;
  }
  const seed = Buffer.from(signing.export({ format: 'jwk' }).d, 'base64url');
  const pk = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const sk = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_seed_keypair(pk, sk, seed);
  return (text) => {
    const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
    sodium.crypto_sign_detached(signature, Buffer.from(text, 'utf8'), sk);
    return signature.toString('hex');
  };
}
const sodiumSign = sodiumSigner();
const signText = (text) => (sodiumSign ? sodiumSign(text) : sign(null, Buffer.from(text, 'utf8'), signing).toString('hex'));
if (signing) process.stderr.write(`raw-responder: Ed25519 by ${sodiumSign ? 'libsodium' : 'OpenSSL'}\n`);

const connections = [];
let next = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    const nc = await connect({ servers: url, name: `raw-${i}` });
    const sender = `raw-${String(i).padStart(5, '0')}`;
    const replyText = (time) => JSON.stringify({ protocol: 'cohort:reply:1', request_id: '0'.repeat(32), sender, agent: 'rpcutil', action: 'ping', statuscode: 0, statusmsg: 'OK', data: { pong: Math.floor(time / 1000) }, time });
    const reply = encoder.encode(replyText(1763760000000));
    const signed = () => {
      const text = replyText(Date.now());
      return encoder.encode(JSON.stringify({ protocol: 'cohort:secure-reply:1', reply: text, signature: signText(text), public_key: publicKey }));
    };
    nc.subscribe(subject, { callback: (err, msg) => !err && msg.respond(signing ? signed() : reply) });
    if (direct) nc.subscribe(`bench.direct.raw-${first + i}`, { callback: (err, msg) => !err && msg.respond(signing ? signed() : reply) });
    await nc.flush();
    connections.push(nc);
  }
}
const stop = async () => {
  await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker)).then(
  () => process.stdout.write(`ready ${connections.length}\n`),
  (err) => {
    process.stderr.write(`raw-responder: ${String(err)}\n`);
    process.exit(1);
  },
);
