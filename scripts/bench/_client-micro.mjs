// Client-side cost per reply, no network: a fake bus answers every direct request at once.
import { Client } from '@cohort/client';
import { encode, ProtocolTag } from '@cohort/core';
const n = Number(process.argv[2] ?? 1000);
const iterate = process.argv[3] !== 'stats';
const subs = new Map();
const ids = Array.from({ length: n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`);
const bus = {
  servers: ['fake'],
  publish(subject, data) {
    const req = JSON.parse(new TextDecoder().decode(data));
    const sender = subject.split('.').slice(2).join('.');
    const bytes = encode({ protocol: ProtocolTag.Reply, request_id: req.id, sender, agent: req.agent, action: req.action, statuscode: 0, statusmsg: 'OK', data: { pong: 1 }, time: Date.now() });
    queueMicrotask(() => subs.get(req.reply_to)?.(bytes));
  },
  subscribe(subject, cb) { subs.set(subject, cb); return { unsubscribe: () => subs.delete(subject) }; },
  flush: async () => {},
  close: async () => {},
};
const client = await Client.connect({ servers: 'x', bus, callerid: 'user=b', discoveryMethod: 'broadcast' });
async function one() {
  const call = client.rpc({ agent: 'rpcutil', action: 'ping', nodes: ids });
  if (iterate) for await (const _ of call);
  const s = await call.stats();
  if (s.responded !== n) throw new Error('lost');
}
for (let i = 0; i < 20; i++) await one();
const c0 = process.cpuUsage(); const t0 = performance.now();
const reps = 100;
for (let i = 0; i < reps; i++) await one();
const c = process.cpuUsage(c0);
console.log(`${iterate ? 'iterate' : 'stats  '} µs/reply (incl. fake node encode+request decode)`, (((c.user + c.system)) / (reps * n)).toFixed(2), 'wall ms/req', ((performance.now() - t0) / reps).toFixed(2));
