import { sign, verify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { errorMessage } from '../errors.js';
import { publicKeyBytes, publicKeyFromHex } from './keys.js';

/**
 * Who computes Ed25519 signatures: OpenSSL through node:crypto (always
 * there), or libsodium through the sodium-native addon, which a long-running
 * process that signs every reply switches to with {@link useLibsodium}. On
 * this project's 2-core VM libsodium signs in ~20 µs and verifies in ~55
 * where OpenSSL 3.0 takes ~45 and ~115 (its Ed25519 is portable C); loading
 * the addon costs ~6 ms and ~0.9 MB of resident memory, so a one-shot CLI
 * run stays with OpenSSL. Both give the same signature bytes (Ed25519 is
 * deterministic, RFC 8032): a signer and a verifier may use either.
 */
export type Ed25519Backend = 'openssl' | 'libsodium';

export interface Ed25519 {
  readonly name: Ed25519Backend;
  /** The 64-byte signature of `message`. */
  sign(privateKey: KeyObject, message: Buffer): Buffer;
  /** True when `signature` is `publicKeyHex`'s signature of `message`; throws on a malformed key. */
  verify(publicKeyHex: string, message: Buffer, signature: Buffer): boolean;
}

export const opensslEd25519: Ed25519 = {
  name: 'openssl',
  sign: (privateKey, message) => sign(null, message, privateKey),
  verify: (publicKeyHex, message, signature) => verify(null, message, publicKeyFromHex(publicKeyHex), signature),
};

/** The part of sodium-native's API used here. */
interface Sodium {
  crypto_sign_seed_keypair(publicKey: Buffer, secretKey: Buffer, seed: Buffer): void;
  crypto_sign_detached(signature: Buffer, message: Buffer, secretKey: Buffer): void;
  crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
}

function libsodiumWith(sodium: Sodium): Ed25519 {
  // libsodium's 64-byte secret key (seed ‖ public key), made once per private KeyObject.
  const secretKeys = new WeakMap<KeyObject, Buffer>();
  const secretKey = (key: KeyObject): Buffer => {
    let sk = secretKeys.get(key);
    if (sk === undefined) {
      const { d } = key.export({ format: 'jwk' });
      if (key.asymmetricKeyType !== 'ed25519' || typeof d !== 'string') throw new TypeError('not an Ed25519 private key');
      const seed = Buffer.from(d, 'base64url');
      sk = Buffer.alloc(64);
      sodium.crypto_sign_seed_keypair(Buffer.alloc(32), sk, seed);
      seed.fill(0); // the secret key holds it from here on
      secretKeys.set(key, sk);
    }
    return sk;
  };
  return {
    name: 'libsodium',
    sign(privateKey, message) {
      const signature = Buffer.allocUnsafe(64);
      sodium.crypto_sign_detached(signature, message, secretKey(privateKey));
      return signature;
    },
    verify(publicKeyHex, message, signature) {
      // The same key check as OpenSSL's side (publicKeyFromHex), without building a KeyObject.
      const publicKey = publicKeyBytes(publicKeyHex);
      if (signature.length !== 64) return false;
      return sodium.crypto_sign_verify_detached(signature, message, publicKey);
    },
  };
}

/** libsodium's Ed25519, or why it cannot be had here (the addon is not installed, or has no build for this platform). */
export function loadLibsodiumEd25519(): Ed25519 | string {
  try {
    // Found at run time beside the program: node_modules in the workspace, /usr/share/cohort/lib/node_modules
    // in the Debian package (no bundle can hold a native addon: the package bundles leave it outside).
    return libsodiumWith(createRequire(import.meta.url)('sodium-native') as Sodium);
  } catch (err) {
    return `sodium-native does not load: ${errorMessage(err).split('\n')[0]}`;
  }
}

let current: Ed25519 = opensslEd25519;

/** The Ed25519 implementation in use in this process. */
export function ed25519(): Ed25519 {
  return current;
}

/** The implementation a process uses, and why it is not libsodium when it is not. */
export type Ed25519Choice = { readonly backend: 'libsodium' } | { readonly backend: 'openssl'; readonly reason: string };

/**
 * Sign and verify with libsodium from now on, when it loads and
 * COHORT_ED25519 is not `openssl`; otherwise with OpenSSL (COHORT_ED25519=openssl
 * switches back to it, even after libsodium). Returns which is in use and,
 * when it is OpenSSL, why.
 */
export function useLibsodium(env: NodeJS.ProcessEnv = process.env): Ed25519Choice {
  if (env['COHORT_ED25519'] === 'openssl') {
    current = opensslEd25519;
    return { backend: 'openssl', reason: 'COHORT_ED25519=openssl' };
  }
  if (current.name === 'libsodium') return { backend: 'libsodium' };
  const loaded = loadLibsodiumEd25519();
  if (typeof loaded === 'string') return { backend: 'openssl', reason: loaded };
  current = loaded;
  return { backend: 'libsodium' };
}
