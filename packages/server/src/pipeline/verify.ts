import { errorMessage, keyId, openRequest, verifyRequest, type RequestMessage } from '@cohort/core';
import type { NodeSecurity } from '../node-security.js';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/** A request that may proceed, and what is known about who sent it. */
export interface Admitted {
  readonly request: RequestMessage;
  /** The signature was checked against a trusted key (always false in unsigned mode). */
  readonly verified: boolean;
  /** Id of the signing key, when the request was signed. */
  readonly key: string | undefined;
}

function who(request: RequestMessage): string {
  return `request ${request.id} (${request.agent}#${request.action}) from ${request.callerid}@${request.sender}`;
}

/**
 * Stage 1: decode (size, UTF-8, JSON, tag, schema; a signed envelope is
 * unwrapped) and, in signed mode, verify: the request must be signed by a
 * trusted key (trusted keys directory, or a certificate from a trusted
 * issuer), the signature must cover its exact text, and its callerid must be
 * the one bound to the key. In unsigned mode (or without security settings)
 * everything that decodes is admitted, unverified.
 */
export function verifyStage(bytes: Uint8Array, maxBytes: number, security: NodeSecurity | undefined, nowMs: number): Admitted | Drop {
  let opened;
  try {
    opened = openRequest(bytes, { maxBytes });
  } catch (err) {
    return new Drop(DropReason.Invalid, errorMessage(err));
  }
  const { request, envelope } = opened;
  if (!security || security.mode === 'unsigned') return { request, verified: false, key: envelope ? keyId(envelope.public_key) : undefined };
  if (!envelope) {
    return new Drop(DropReason.Unsigned, `${who(request)} refused: it is not signed and this node accepts only signed requests (security.mode: signed)`, request);
  }
  const signer = verifyRequest(opened, security.trust(), nowMs);
  if (typeof signer === 'string') return new Drop(DropReason.Unverified, `${who(request)} refused: ${signer}`, request);
  return { request, verified: true, key: keyId(signer.key) };
}
