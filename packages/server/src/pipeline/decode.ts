import { decodeRequest, errorMessage, type RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/** Stage 1: bytes to a schema-valid request, or a Drop saying why not (size, UTF-8, JSON, protocol, schema). */
export function decodeStage(bytes: Uint8Array, maxBytes: number): RequestMessage | Drop {
  try {
    return decodeRequest(bytes, { maxBytes });
  } catch (err) {
    return new Drop(DropReason.Invalid, errorMessage(err));
  }
}
