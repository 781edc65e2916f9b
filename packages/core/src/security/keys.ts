import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { errorMessage } from '../errors.js';
import { SecurityError } from './errors.js';

/**
 * Ed25519 keys (Node's built-in crypto). On disk: the private key as PKCS#8
 * PEM (`NAME.key`, mode 0600), the public key as SPKI PEM (`NAME.pub`; a
 * file holding just the 64 hex characters is accepted too). On the wire a
 * public key is its raw 32 bytes in hex.
 */

/** An Ed25519 key pair. */
export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const hexKeyPattern = /^[0-9a-f]{64}$/;

/**
 * Make a fresh Ed25519 key pair. The keys are rebuilt from their DER encoding
 * rather than taken as generateKeyPairSync hands them out: on Node 20 those
 * share a lock with the key-generation job that made them, and exporting one
 * (publicKeyHex) while a garbage collection finalises that job deadlocks the
 * process for good (a benchmark generating thousands of keys hung that way;
 * test/integration/keygen-deadlock.test.ts).
 */
export function generateKeyPair(): KeyPair {
  const der = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
  return {
    privateKey: createPrivateKey({ key: der.privateKey, format: 'der', type: 'pkcs8' }),
    publicKey: createPublicKey({ key: der.publicKey, format: 'der', type: 'spki' }),
  };
}

/** The raw public key as 64 lower-case hex characters (works for a private key too). */
export function publicKeyHex(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new SecurityError('not an Ed25519 key: Cohort keys are Ed25519 (cohort keys generate NAME)');
  return Buffer.from(jwk.x, 'base64url').toString('hex');
}

/** A short id for logs and listings: the first 16 hex characters of the public key. */
export function keyId(publicKeyHexValue: string): string {
  return publicKeyHexValue.slice(0, 16);
}

// Parsed public keys by hex: building a KeyObject costs more than the
// signature check itself, and the set of signers a node sees is small.
const parsedKeys = new Map<string, KeyObject>();
// Only keys that passed a trust check are parsed: room for one per node of a large fleet.
const parsedKeysLimit = 65_536;

/** The raw 32 bytes of a public key in hex. Throws SecurityError on a malformed key. */
export function publicKeyBytes(hex: string): Buffer {
  if (!hexKeyPattern.test(hex)) throw new SecurityError(`'${hex.slice(0, 80)}' is not an Ed25519 public key (64 hex characters)`);
  return Buffer.from(hex, 'hex');
}

/** A public KeyObject from 64 hex characters (cached). Throws SecurityError on a malformed key. */
export function publicKeyFromHex(hex: string): KeyObject {
  const hit = parsedKeys.get(hex);
  if (hit) return hit;
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKeyBytes(hex).toString('base64url') }, format: 'jwk' });
  if (parsedKeys.size >= parsedKeysLimit) parsedKeys.clear();
  parsedKeys.set(hex, key);
  return key;
}

/** PEM text of a private key (PKCS#8). */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** PEM text of a public key (SPKI). */
export function publicKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'spki' }).toString();
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new SecurityError(`cannot read ${what} ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Read an Ed25519 private key (PEM). Refuses a file that group or others can
 * read, as ssh does: a leaked key lets anyone act as its owner.
 */
export function readPrivateKey(file: string): KeyObject {
  const text = readText(file, 'private key');
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    throw new SecurityError(`${file} is not a PEM private key: ${errorMessage(err)} (make one with cohort keys generate NAME)`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SecurityError(`${file} holds a ${key.asymmetricKeyType ?? 'unknown'} key; Cohort keys are Ed25519 (cohort keys generate NAME)`);
  if (process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new SecurityError(`private key ${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${file}`);
    }
  }
  return key;
}

/** Read a public key file (SPKI PEM, or 64 hex characters); returns its hex form. */
export function readPublicKeyHex(file: string): string {
  const text = readText(file, 'public key').trim();
  if (hexKeyPattern.test(text)) return text;
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch (err) {
    throw new SecurityError(`${file} is not a PEM public key or 64 hex characters: ${errorMessage(err)}`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SecurityError(`${file} holds a ${key.asymmetricKeyType ?? 'unknown'} key; Cohort keys are Ed25519`);
  return publicKeyHex(key);
}

/** The public key file beside a private key: `NAME.key` → `NAME.pub`. */
export function publicKeyFileFor(privateKeyFile: string): string {
  return `${privateKeyFile.replace(/\.key$/, '')}.pub`;
}

/** The certificate file beside a private key: `NAME.key` → `NAME.cert`. */
export function certificateFileFor(privateKeyFile: string): string {
  return `${privateKeyFile.replace(/\.key$/, '')}.cert`;
}

/**
 * Write a key pair as `<base>.key` (0600) and `<base>.pub`. Refuses to
 * overwrite an existing private key unless `overwrite`.
 */
export function writeKeyPair(base: string, pair: KeyPair, options: { overwrite?: boolean } = {}): { keyFile: string; publicFile: string } {
  const keyFile = base.endsWith('.key') ? base : `${base}.key`;
  const publicFile = publicKeyFileFor(keyFile);
  if (!options.overwrite && existsSync(keyFile)) throw new SecurityError(`${keyFile} already exists; remove it first (or pick another name) to make a new key`);
  try {
    writeFileSync(keyFile, privateKeyPem(pair.privateKey), { mode: 0o600, flag: options.overwrite ? 'w' : 'wx' });
    writeFileSync(publicFile, publicKeyPem(pair.publicKey), { mode: 0o644 });
  } catch (err) {
    throw new SecurityError(`cannot write the key pair ${keyFile}: ${errorMessage(err)}`, { cause: err });
  }
  return { keyFile, publicFile };
}
