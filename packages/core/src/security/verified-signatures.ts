import { createHash } from 'node:crypto';
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
 * checked, and refused, every time it is read). An entry is the signature
 * and a SHA-256 digest of the key and the text, so a mined value of
 * hundreds of kilobytes costs ~100 bytes to remember; the least recently
 * used entries go first once `limit` are held.
 */
export class VerifiedSignatures {
  readonly limit: number;
  /** signature (hex) → SHA-256 of public key + text; Map order is least recently used first. */
  readonly #seen = new Map<string, string>();
  /** Lookups answered from memory, and checks made (for benchmarks and tests). */
  hits = 0;
  checks = 0;

  constructor(limit: number = defaultVerifiedSignaturesLimit) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`remembered signatures limit ${limit} must be a positive integer`);
    this.limit = limit;
  }

  /** Signatures held. */
  get size(): number {
    return this.#seen.size;
  }

  /** {@link verifyText}, answered from memory when this exact triple verified before. */
  verify(publicKey: string, text: string, signature: string): boolean {
    const digest = this.#recall(publicKey, text, signature);
    if (digest === true) return true;
    this.checks++;
    const ok = verifyText(publicKey, text, signature);
    if (ok) this.#remember(signature, digest);
    return ok;
  }

  /** {@link verifyTextAsync} (the thread pool), answered from memory when this exact triple verified before. */
  async verifyAsync(publicKey: string, text: string, signature: string): Promise<boolean> {
    const digest = this.#recall(publicKey, text, signature);
    if (digest === true) return true;
    this.checks++;
    const ok = await verifyTextAsync(publicKey, text, signature);
    if (ok) this.#remember(signature, digest);
    return ok;
  }

  /** True on a hit (refreshed as most recently used), else the digest to remember it under once it verifies. */
  #recall(publicKey: string, text: string, signature: string): true | string {
    // The key is 64 hex characters: key + text cannot be read two ways.
    const digest = createHash('sha256').update(publicKey).update(text).digest('base64');
    const held = this.#seen.get(signature);
    if (held !== digest) return digest;
    this.#seen.delete(signature);
    this.#seen.set(signature, digest);
    this.hits++;
    return true;
  }

  #remember(signature: string, digest: string): void {
    this.#seen.delete(signature);
    this.#seen.set(signature, digest);
    if (this.#seen.size > this.limit) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
  }
}
