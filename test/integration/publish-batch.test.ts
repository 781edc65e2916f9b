// The client gathers a call's requests into one socket write (bus.ts,
// publishBatchBytes): nats.js writes whatever it has gathered in the middle
// of a run of publishes once it exceeds its hidden `pendingLimit` (32 kB by
// default), and on a busy machine that first write let the woken server and
// nodes deschedule the client before it had queued the rest of a call to 250
// nodes. This pins what the setting relies on in the nats.js we ship: the
// option is honoured, so 250 requests of ~450 bytes are still all pending
// (not yet written) when the publishing loop ends, and all arrive once it
// yields; with nats.js' default, writing started in the middle of the loop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from 'nats';
import { publishBatchBytes } from '@cohort/client';
import { startNatsServer, type NatsServer } from '../harness/index.js';

/** nats.js' bytes gathered and not yet written (its protocol handler's outbound buffer). */
function pendingBytes(nc: NatsConnection): number {
  const protocol = Reflect.get(nc, 'protocol') as { outbound: { size(): number } };
  return protocol.outbound.size();
}

describe('a call to a few hundred nodes goes out in one write', () => {
  let nats: NatsServer;
  before(async () => {
    nats = await startNatsServer();
  });
  after(async () => {
    await nats?.stop();
  });

  const request = new Uint8Array(450).fill(0x61);
  const run = async (options: { pendingLimit?: number }): Promise<{ pendingAfterLoop: number; received: number }> => {
    const nc = await connect({ servers: nats.url, ...options } as Parameters<typeof connect>[0]);
    const listener = await connect({ servers: nats.url });
    try {
      let received = 0;
      listener.subscribe('batch.>', { callback: () => void received++ });
      await listener.flush();
      for (let i = 0; i < 250; i++) nc.publish(`batch.node-${i}`, request);
      const pendingAfterLoop = pendingBytes(nc);
      await nc.flush();
      for (let i = 0; i < 100 && received < 250; i++) await new Promise((r) => setTimeout(r, 20));
      return { pendingAfterLoop, received };
    } finally {
      await nc.close();
      await listener.close();
    }
  };

  test('with the client\'s setting every request is still pending when the loop ends, and all arrive', async () => {
    assert.ok(publishBatchBytes >= 250 * 500, `publishBatchBytes (${publishBatchBytes}) holds a call to 250 nodes`);
    const { pendingAfterLoop, received } = await run({ pendingLimit: publishBatchBytes });
    assert.ok(pendingAfterLoop >= 250 * request.length, `all 250 requests gathered (${pendingAfterLoop} bytes pending)`);
    assert.equal(received, 250);
  });

  test('with nats.js\' default, writing starts in the middle of the loop (what the setting avoids)', async () => {
    const { pendingAfterLoop, received } = await run({});
    assert.ok(pendingAfterLoop < 250 * request.length, `only the tail is pending (${pendingAfterLoop} bytes)`);
    assert.equal(received, 250);
  });
});
