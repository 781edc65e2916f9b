import { randomBytes } from 'node:crypto';

/** A fresh request id: 32 lower-case hex characters (a UUID without dashes, as MCollective). */
export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

export const requestIdPattern = /^[0-9a-f]{32}$/;
