// Finding 10 of the security review (issue 12): filter caches were not
// size-aware: 120 requests with 1 MiB compound filters crashed a node with a
// 512 MB heap. Reproduced here in bounded form: a node with a 96 MB heap and
// 40 signed requests with distinct 512 KiB compounds (the old node parsed
// and cached every one). Now filters over the limits (terms, characters)
// are refused before they are parsed, audited, and the caches are bounded by
// size as well. Real nats-server with the shipped secure example, a real
// cohortd node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from 'nats';
import { filterLimits, nodeSubject } from '@cohort/core';
import { cohort } from '../harness/index.js';
import { attackRequest, droppedOn, eventuallyAsync, missingOpenssl, operatorSigner, requestBytes, startSecureFleet, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;
let mallory: NatsConnection;

before(async () => {
  if (skip) return;
  const saved = process.env['NODE_OPTIONS'];
  process.env['NODE_OPTIONS'] = '--max-old-space-size=96';
  try {
    env = await startSecureFleet([{ identity: 'web1', role: 'web' }], { operators: ['operator', 'mallory'] });
  } finally {
    if (saved === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = saved;
  }
  mallory = await env.busAs('mallory');
});
after(async () => {
  await mallory?.close();
  await env?.stop();
});

describe('finding 10: filter size limits and size-aware caches', { skip }, () => {
  test('40 distinct 512 KiB compound filters are refused unparsed and audited; the node lives on', async () => {
    const signer = operatorSigner(env, 'mallory');
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const compound = `role=web${i} or ` + 'role=web or '.repeat((512 * 1024) / 12) + 'role=web';
      const request = attackRequest({ callerid: 'user=mallory', agent: 'rpcutil', action: 'ping', filter: { fact: [], cf_class: [], agent: [], identity: [], compound: [compound] } });
      ids.push(request.id);
      mallory.publish(nodeSubject('cohort', 'web1'), requestBytes(request, signer));
    }
    await mallory.flush();
    assert.ok(await eventuallyAsync(async () => ((await droppedOn(env, 'web1'))['filter_too_large'] ?? 0) >= 40), 'web1 refused all 40 and still answers');
    assert.equal(env.fleet.nodes.get('web1')?.process.exitCode, null, 'web1 is running');
    const line = env.audit('web1').find((a) => a.request_id === ids[0]);
    assert.equal(line?.outcome, 'refused');
    assert.match(line?.reason ?? '', new RegExp(`compound expression in the filter has \\d+ characters \\(at most ${filterLimits.compoundChars}\\)`));
    assert.equal(typeof (line?.filter as { sha256?: unknown }).sha256, 'string', 'the audit keeps a digest of the filter, not the filter');
    const ping = await cohort(['ping'], { env: env.env });
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stdout, /web1/);
  });

  test('the client refuses to send a filter over the limits, naming the limit', async () => {
    const long = await cohort(['rpc', 'rpcutil', 'ping', '-S', 'role=web or '.repeat(400) + 'role=web'], { env: env.env });
    assert.notEqual(long.code, 0);
    assert.match(long.stderr, /compound expression in the filter has \d+ characters \(at most 4096\)/);
    const many = await cohort(['rpc', 'rpcutil', 'ping', ...Array.from({ length: 70 }, (_, i) => ['-F', `f${i}=x`]).flat()], { env: env.env });
    assert.notEqual(many.code, 0);
    assert.match(many.stderr, /at most 64/);
  });
});
