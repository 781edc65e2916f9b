import { verify, type KeyObject } from 'node:crypto';
import { ed25519 } from './ed25519.js';
import { publicKeyFromHex } from './keys.js';

/**
 * Ed25519 signatures over the UTF-8 bytes of a text (the exact JSON text of
 * an envelope, so nothing has to be canonicalised). Signatures are 128 hex
 * characters on the wire.
 */

/** Sign `text` with an Ed25519 private key; returns the signature in hex. */
export function signText(privateKey: KeyObject, text: string): string {
  return ed25519().sign(privateKey, Buffer.from(text, 'utf8')).toString('hex');
}

/** True when `signatureHex` is a valid signature of `text` by `publicKeyHex`. Never throws. */
export function verifyText(publicKeyHexValue: string, text: string, signatureHex: string): boolean {
  try {
    return ed25519().verify(publicKeyHexValue, Buffer.from(text, 'utf8'), Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

/**
 * {@link verifyText} off the main thread: the check runs in libuv's thread
 * pool, so many of them (a reader verifying a thousand nodes' records) use
 * every core. Always OpenSSL's (sodium-native has no asynchronous check).
 * Resolves true or false; never rejects.
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
