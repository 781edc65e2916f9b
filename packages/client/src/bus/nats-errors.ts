import { errorMessage } from '@cohort/core';

/** What the bus modules tell a user when the server has no JetStream. */
export const noJetStreamReason = 'the NATS server has no JetStream (start it with -js)';

/** The `code` of a nats.js error (e.g. '503', 'TIMEOUT', 'CONNECTION_REFUSED'), or ''. */
export function natsErrorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

/** Did a JetStream request fail because the server has no JetStream (no responders to the API)? */
export function isNoJetStream(err: unknown): boolean {
  return natsErrorCode(err) === '503' || /no responders|jetstream not enabled/i.test(errorMessage(err));
}
