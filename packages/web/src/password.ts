import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes for the users file: Node's built-in scrypt (memory-hard,
 * in OpenSSL, no native addon to build), stored with its parameters so they
 * can be raised later without breaking old hashes:
 * `scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>`.
 */

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  logN: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 bytes = 32 MiB per hash, ~50–100 ms on one core: OWASP's minimum for scrypt. */
export const defaultScryptParams: ScryptParams = { logN: 15, r: 8, p: 1 };

const keyLength = 32;

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Hash `password` with a fresh 16-byte salt. */
export async function hashPassword(password: string, params: ScryptParams = defaultScryptParams): Promise<string> {
  if (password.length === 0) throw new Error('the password is empty');
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, params);
  return `scrypt$${params.logN}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Why `hash` is not a password hash this module can check, or undefined. */
export function hashProblem(hash: string): string | undefined {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return 'is not a scrypt hash (scrypt$logN$r$p$salt$hash); set it with cohort web passwd';
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (!Number.isInteger(logN) || logN < 10 || logN > 22) return `has cost 2^${parts[1]} outside 2^10..2^22`;
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return 'has scrypt r or p out of range';
  if (Buffer.from(parts[4]!, 'base64').length < 8 || Buffer.from(parts[5]!, 'base64').length !== keyLength) return 'has a malformed salt or hash';
  return undefined;
}

/** True when `password` matches `hash` (constant-time comparison). False for malformed hashes. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (hashProblem(hash) !== undefined) return false;
  const parts = hash.split('$');
  const params: ScryptParams = { logN: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) };
  const expected = Buffer.from(parts[5]!, 'base64');
  const got = await scrypt(password, Buffer.from(parts[4]!, 'base64'), params);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A hash of nothing anybody can type: checked against for unknown users, so a login takes as long either way. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64'));
  return decoy;
}
