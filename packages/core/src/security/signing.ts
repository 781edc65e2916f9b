import { sign, verify, type KeyObject } from 'node:crypto';
import { publicKeyFromHex } from './keys.js';

/**
 * Ed25519 signatures over the UTF-8 bytes of a text (the exact JSON text of
 * an envelope, so nothing has to be canonicalised). Signatures are 128 hex
 * characters on the wire.
 */

/** Sign `text` with an Ed25519 private key; returns the signature in hex. */
export function signText(privateKey: KeyObject, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), privateKey).toString('hex');
}

/** True when `signatureHex` is a valid signature of `text` by `publicKeyHex`. Never throws. */
export function verifyText(publicKeyHexValue: string, text: string, signatureHex: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), publicKeyFromHex(publicKeyHexValue), Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

/**
 * {@link verifyText} off the main thread: the check runs in libuv's thread
 * pool, so many of them (a reader verifying a thousand nodes' records) use
 * every core. Resolves true or false; never rejects.
 */
export function verifyTextAsync(publicKeyHexValue: string, text: string, signatureHex: string): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      verify(null, Buffer.from(text, 'utf8'), publicKeyFromHex(publicKeyHexValue), Buffer.from(signatureHex, 'hex'), (err, ok) => resolve(err === null && ok));
    } catch {
      resolve(false);
    }
  });
}
