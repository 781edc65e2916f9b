import { createHash, timingSafeEqual } from 'node:crypto';
import { AgentError } from '../errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Check a request's `token` input against provisioning.token: nothing to
 * check when no token is configured; otherwise a missing or wrong token ends
 * the action with status 1 "invalid provisioning token" (never saying which).
 * Compares digests in constant time.
 */
export function checkToken(expected: string | null, given: string | null | undefined): void {
  if (expected === null) return;
  if (typeof given !== 'string' || !timingSafeEqual(digest(expected), digest(given))) {
    throw new AgentError('invalid provisioning token', 1);
  }
}
