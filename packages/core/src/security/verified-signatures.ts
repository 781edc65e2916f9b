import { hash } from 'node:crypto';
import type { SignatureFile } from './signature-file.js';
import { verifyText, verifyTextAsync } from './signing.js';

/** Default number of remembered signatures: every value of a 1,000-node fleet with a dozen functions, plus its registry. */
export const defaultVerifiedSignaturesLimit = 16_384;

/**
 * Signatures that verified, remembered by a long-lived reader (the web
 * console, the mine mirror) that reads the same signed records again and
 * again. An Ed25519 check is a pure function of (public key, text,
 * signature), so finding that exact triple among those that verified before
 * is as safe as checking it again; a changed value has a new text and a new
 * signature and is checked. Only successes are kept (a forged record is
 * checked, and refused, every time it is read). An entry is a SHA-256
 * digest of the key, the signature and the text ({@link signatureDigest}), so
 * a mined value of hundreds of kilobytes costs ~100 bytes to remember; the least recently
 * used entries go first once `limit` are held. With a {@link SignatureFile}
 * (the CLI's, in the user's cache directory), what verified in earlier runs
 * counts too, and what verifies now is kept for the next run.
 */
export class VerifiedSignatures {
  readonly limit: number;
  /** Digests that verified, kept between runs (the CLI's file), if any. */
  readonly file: SignatureFile | undefined;
  /** Digests (as latin1 strings) of the triples that verified; Map order is least recently used first. */
  readonly #seen = new Map<string, true>();
  /** Lookups answered from memory or the file, and checks made (for benchmarks and tests). */
  hits = 0;
  checks = 0;

  constructor(limit: number = defaultVerifiedSignaturesLimit, file?: SignatureFile) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`remembered signatures limit ${limit} must be a positive integer`);
    this.limit = limit;
    this.file = file;
  }

  /** Signatures held in memory. */
  get size(): number {
    return this.#seen.size;
  }

  /** {@link verifyText}, answered from memory when this exact triple verified before. */
  verify(publicKey: string, text: string, signature: string): boolean {
    const digest = signatureDigest(publicKey, text, signature);
    if (this.#recall(digest)) return true;
    this.checks++;
    const ok = verifyText(publicKey, text, signature);
    if (ok) this.#remember(digest);
    return ok;
  }

  /** {@link verifyTextAsync} (the thread pool), answered from memory when this exact triple verified before. */
  async verifyAsync(publicKey: string, text: string, signature: string): Promise<boolean> {
    const digest = signatureDigest(publicKey, text, signature);
    if (this.#recall(digest)) return true;
    this.checks++;
    const ok = await verifyTextAsync(publicKey, text, signature);
    if (ok) this.#remember(digest);
    return ok;
  }

  /** True on a hit, in memory or in the file (then held as the most recently used). */
  #recall(digest: Buffer): boolean {
    const key = digest.toString('latin1');
    if (!this.#seen.has(key) && this.file?.has(digest) !== true) return false;
    this.#keep(key);
    this.hits++;
    return true;
  }

  #remember(digest: Buffer): void {
    this.#keep(digest.toString('latin1'));
    this.file?.add(digest);
  }

  #keep(key: string): void {
    this.#seen.delete(key);
    this.#seen.set(key, true);
    if (this.#seen.size > this.limit) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
  }
}

/**
 * What identifies a verified triple: SHA-256 over the public key, the
 * signature (each after its length, so no two triples read the same) and the
 * text. 32 bytes however long the record; one hash call (a reader hashes
 * every record it reads).
 */
export function signatureDigest(publicKey: string, text: string, signature: string): Buffer {
  return hash('sha256', `${publicKey.length}:${signature.length}:${publicKey}${signature}${text}`, 'buffer');
}
