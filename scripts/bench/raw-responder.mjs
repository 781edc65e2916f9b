#!/usr/bin/env node
// The floor's responders: `--count N` plain nats.js connections in this
// process, each subscribed to `--subject` and replying with a fixed payload
// the size of a Cohort ping reply. No Cohort code at all.
//   node raw-responder.mjs --nats URL --count N --subject bench.ping [--first I] [--direct] [--sign]
// --direct: each connection also answers on its own subject,
// bench.direct.raw-<index> (index from --first, default 0), as a node
// answers on its node subject (the direct-addressed floor of ba.mjs).
// --sign: each reply is a fresh text signed with an Ed25519 key (as a node
// signs its replies), wrapped in a JSON envelope with the public key (no
// certificate).
// Prints "ready N" once every connection is subscribed; SIGTERM closes them.
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { connect } from 'nats';

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

const connections = [];
let next = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    const nc = await connect({ servers: url, name: `raw-${i}` });
    const reply = new TextEncoder().encode(
      JSON.stringify({ protocol: 'cohort:reply:1', request_id: '0'.repeat(32), sender: `raw-${String(i).padStart(5, '0')}`, agent: 'rpcutil', action: 'ping', statuscode: 0, statusmsg: 'OK', data: { pong: 1763760000 }, time: 1763760000000 }),
    );
    const signed = () => {
      const text = JSON.stringify({ protocol: 'cohort:reply:1', request_id: '0'.repeat(32), sender: `raw-${String(i).padStart(5, '0')}`, agent: 'rpcutil', action: 'ping', statuscode: 0, statusmsg: 'OK', data: { pong: Math.floor(Date.now() / 1000) }, time: Date.now() });
      return encoder.encode(JSON.stringify({ protocol: 'cohort:secure-reply:1', reply: text, signature: sign(null, Buffer.from(text, 'utf8'), signing).toString('hex'), public_key: publicKey }));
    };
    nc.subscribe(subject, { callback: (err, msg) => !err && msg.respond(signing ? signed() : reply) });
    if (direct) nc.subscribe(`bench.direct.raw-${first + i}`, { callback: (err, msg) => !err && msg.respond(signing ? signed() : reply) });
    await nc.flush();
    connections.push(nc);
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
process.stdout.write(`ready ${connections.length}\n`);
const stop = async () => {
  await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
