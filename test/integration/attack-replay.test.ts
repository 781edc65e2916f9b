// Finding 6 of the security review (issue 12): the replay cache was filled
// before authorization: 100,001 denied requests with ttl 86400 and a time a
// day ahead made both nodes refuse everything for two days; and after a
// restart a captured request inside its TTL ran again. Reproduced here in
// bounded form (a cache of 200 ids). Now: only authorized requests are
// remembered, each caller holds at most its share, ttl is capped and future
// times refused, and requests from before the daemon started are refused.
// Real nats-server with the shipped secure example, real cohortd nodes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { nodeSubject } from '@cohort/core';
import { attackRequest, droppedOn, eventually, eventuallyAsync, missingOpenssl, operatorSigner, requestBytes, startSecureFleet, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;
let mallory: NatsConnection;
let operator: NatsConnection;

before(async () => {
  if (skip) return;
  env = await startSecureFleet([{ identity: 'web1', role: 'web' }], {
    operators: ['operator', 'mallory'],
    // Small, so the attack stays small: 200 ids, a caller may hold 40 of them.
    security: { replay_cache_size: 200, replay_per_caller: 0.2 },
  });
  mallory = await env.busAs('mallory');
  operator = await env.operatorBus();
});
after(async () => {
  await mallory?.close();
  await operator?.close();
  await env?.stop();
});

const day = 86_400_000;

describe('finding 6: the replay cache cannot be filled, and remembers across restarts', { skip }, () => {
  test("denied, far-future and over-quota requests do not fill the cache: the operator's request still runs", async () => {
    const signer = operatorSigner(env, 'mallory');
    const send = (fields: Parameters<typeof attackRequest>[0]) => mallory.publish(nodeSubject('cohort', 'web1'), requestBytes(attackRequest({ callerid: 'user=mallory', ...fields }), signer));
    // touch is denied to mallory by policy: before, each denied id was remembered for its whole ttl.
    for (let i = 0; i < 250; i++) send({ ttl: 86_400, data: { path: join(env.dir, `denied-${i}`) } });
    // a day in the future: before, remembered for two days.
    for (let i = 0; i < 250; i++) send({ ttl: 86_400, time: Date.now() + day, data: { path: join(env.dir, `future-${i}`) } });
    // rpcutil ping is allowed to mallory: remembered, but only its share of the cache.
    for (let i = 0; i < 60; i++) send({ agent: 'rpcutil', action: 'ping', ttl: 86_400 });
    await mallory.flush();
    assert.ok(
      await eventuallyAsync(async () => {
        const d = await droppedOn(env, 'web1');
        return (d['unauthorized'] ?? 0) >= 250 && (d['bad_time'] ?? 0) >= 250 && (d['replay_caller_full'] ?? 0) >= 20;
      }),
      'web1 counted the denied, future and over-quota requests',
    );
    const dropped = await droppedOn(env, 'web1');
    assert.equal(dropped['replay_cache_full'] ?? 0, 0, 'the cache never filled up');
    assert.equal(dropped['replay_caller_full'], 20, 'mallory got 40 ids, the rest were refused');

    const marker = join(env.dir, 'touched-after-flood');
    const request = attackRequest({ data: { path: marker } });
    operator.publish(nodeSubject('cohort', 'web1'), requestBytes(request, operatorSigner(env)));
    await operator.flush();
    assert.ok(await eventually(() => existsSync(marker), 30_000), "the operator's request ran");
    const caller = env.audit('web1').find((a) => a.reason?.includes('its share of the replay cache'));
    assert.equal(caller?.outcome, 'refused');
    assert.match(env.audit('web1').find((a) => a.reason?.includes('in the future'))?.reason ?? '', /more than the 60 s clock skew allowed/);
  });

  test('a captured request replayed after a restart is refused (it predates the daemon) and audited', async () => {
    const marker = join(env.dir, 'touched-before-restart');
    const request = attackRequest({ ttl: 3600, data: { path: marker } });
    const bytes = requestBytes(request, operatorSigner(env));
    operator.publish(nodeSubject('cohort', 'web1'), bytes);
    await operator.flush();
    assert.ok(await eventually(() => existsSync(marker), 30_000), 'it ran once');
    rmSync(marker);

    await env.stopNode('web1');
    await env.startNode('web1');
    operator.publish(nodeSubject('cohort', 'web1'), bytes);
    await operator.flush();
    assert.ok(await eventuallyAsync(async () => ((await droppedOn(env, 'web1'))['bad_time'] ?? 0) >= 1), 'the new process refused it');
    assert.equal(existsSync(marker), false, 'the replay did not run');
    const lines = env.audit('web1').filter((a) => a.request_id === request.id);
    assert.deepEqual(lines.map((l) => l.outcome), ['allowed', 'refused']);
    assert.match(lines[1]?.reason ?? '', /made before this daemon started/);
  });
});
