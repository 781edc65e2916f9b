/** Builders for protocol messages in tests (pure: no processes, no bus). */
import assert from 'node:assert/strict';
import { emptyFilter, newRequestId, ProtocolTag, replySubject, type RequestMessage } from '@cohort/core';

/** A valid request (rpcutil ping from user=test, now, TTL 60 s), with `fields` overriding. */
export function testRequest(fields: Partial<RequestMessage> = {}): RequestMessage {
  const id = fields.id ?? newRequestId();
  const callerid = fields.callerid ?? 'user=test';
  return {
    protocol: ProtocolTag.Request,
    id,
    sender: 'test',
    callerid,
    collective: 'cohort',
    agent: 'rpcutil',
    action: 'ping',
    data: {},
    filter: emptyFilter(),
    ttl: 60,
    time: Date.now(),
    reply_to: replySubject(fields.collective ?? 'cohort', callerid, id),
    ...fields,
  };
}

/** Run `fn`, which must throw an instance of `cls`; return the error for further assertions. */
export function caught<E extends Error>(cls: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${cls.name} to be thrown`);
}
