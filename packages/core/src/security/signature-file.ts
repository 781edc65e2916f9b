import { mkdirSync, openSync, readSync, closeSync, fstatSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Signatures that verified, kept in a file between runs of a short-lived
 * reader (the `cohort` CLI: registry discovery, `mine get`, `checks`), so
 * that the second run does not check again, with an Ed25519 verification of
 * ~0.2 ms each, the node certificates and the records that have not changed
 * since the first (a 250-node registry is 500 checks).
 *
 * What is kept is a digest per (public key, signature, text) triple that
 * verified ({@link signatureDigest}); a hit stands in for the signature check
 * only, which is a pure function of that triple. Every other decision (is the
 * key or issuer trusted now, is the certificate valid and bound to the
 * subject, kind, time, size) is made on every read. Forging a hit takes a
 * SHA-256 second preimage, or write access to the file: it is only read from
 * a directory owned by the user and writable by nobody else (the same rule
 * as the CLI's code cache, whose bytecode is code), and it is written with
 * mode 0600 in a directory made with mode 0700.
 *
 * The file: a header line, then sorted 32-byte digests, looked up by binary
 * search in the bytes as read (nothing is built at start-up). A run's new
 * digests are merged in on {@link save}; above `limit` entries, old ones the
 * run did not use are dropped first. A missing, foreign, truncated or
 * unreadable file is treated as empty; a failed write leaves the old file.
 */
export class SignatureFile {
  static readonly header = Buffer.from('cohort-verified-signatures/1\n');
  static readonly digestBytes = 32;
  /** Default number of digests kept: 2 MB, a 50,000-node registry's records and certificates with room to spare. */
  static readonly defaultLimit = 131_072;

  readonly file: string;
  readonly limit: number;
  /** The digests read from the file, sorted (the header removed). */
  #stored: Buffer;
  /** Digests verified in this run and not in the file, hex → bytes. */
  readonly #added = new Map<string, Buffer>();
  /** Indexes of stored digests this run found (kept first when the file is full). */
  readonly #used = new Set<number>();
  /** Lookups answered by the file, and digests added in this run (for COHORT_TIMING, tests and benchmarks). */
  hits = 0;
  added = 0;

  private constructor(file: string, stored: Buffer, limit: number) {
    this.file = file;
    this.#stored = stored;
    this.limit = limit;
  }

  /** Open `file` (its directory must be ours and not writable by others, else it is not read and never written). */
  static open(file: string, limit: number = SignatureFile.defaultLimit): SignatureFile {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`verified signatures file limit ${limit} must be a positive integer`);
    return new SignatureFile(file, ownedByUs(dirname(file)) ? readDigests(file) : Buffer.alloc(0), limit);
  }

  /** Digests held (read and added). */
  get size(): number {
    return this.#stored.length / SignatureFile.digestBytes + this.#added.size;
  }

  /** Did this triple verify before (in an earlier run, or this one)? */
  has(digest: Buffer): boolean {
    // The file first: a warm run finds nearly everything there, without making a hex key.
    const at = this.#find(digest);
    if (at < 0) return this.#added.has(digest.toString('hex'));
    this.#used.add(at);
    this.hits++;
    return true;
  }

  /** Remember a triple that verified just now. */
  add(digest: Buffer): void {
    if (digest.length !== SignatureFile.digestBytes) throw new RangeError(`a signature digest is ${SignatureFile.digestBytes} bytes, not ${digest.length}`);
    // Bounded like the file: a run that verifies more than `limit` new records keeps the first ones.
    if (this.#added.size >= this.limit || this.#find(digest) >= 0) return;
    this.#added.set(digest.toString('hex'), Buffer.from(digest));
    this.added++;
  }

  /**
   * Write the file with this run's new digests merged in (nothing is written
   * when there are none). Never throws: a cache that cannot be written is
   * just not there next time. Two runs saving at once: the last one's file
   * stands, and the other's additions are checked again next time.
   */
  save(): void {
    if (this.#added.size === 0) return;
    const n = SignatureFile.digestBytes;
    const stored = this.#stored;
    const storedCount = stored.length / n;
    // The file is sorted already: this run's few new digests are merged in (where each goes is a binary search),
    // and the stored ones are copied in runs, not sorted again (sorting 131,072 digests took ~0.1 s a run).
    const added = [...this.#added.values()].sort(Buffer.compare);
    const at = added.map((d) => ~this.#find(d));
    const dropCount = Math.max(0, storedCount + added.length - this.limit);
    const dropped = this.#dropped(storedCount, dropCount);
    const out = Buffer.allocUnsafe((storedCount - dropCount + added.length) * n);
    let o = 0;
    let runStart = 0;
    const copyRun = (end: number): void => {
      if (end > runStart) o += stored.copy(out, o, runStart * n, end * n);
      runStart = end;
    };
    let j = 0;
    for (let i = 0; i < storedCount; i++) {
      if (j < added.length && at[j] === i) {
        copyRun(i);
        while (j < added.length && at[j] === i) o += added[j++]!.copy(out, o);
      }
      if (dropped?.[i] === 1) {
        copyRun(i);
        runStart = i + 1;
      }
    }
    copyRun(storedCount);
    while (j < added.length) o += added[j++]!.copy(out, o);
    try {
      const dir = dirname(this.file);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!ownedByUs(dir)) return;
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, Buffer.concat([SignatureFile.header, out]), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch {
      return;
    }
    this.#stored = out;
    this.#added.clear();
    this.#used.clear();
  }

  /**
   * Which stored digests go (1 at their index) to make room for `count` new ones: those this run did not use first
   * (the last in the file's hash order first: an arbitrary choice), then, if need be, used ones the same way;
   * undefined when none go.
   */
  #dropped(storedCount: number, count: number): Uint8Array | undefined {
    if (count === 0) return undefined;
    const flags = new Uint8Array(storedCount);
    let left = count;
    for (let i = storedCount - 1; i >= 0 && left > 0; i--) {
      if (this.#used.has(i)) continue;
      flags[i] = 1;
      left--;
    }
    for (let i = storedCount - 1; i >= 0 && left > 0; i--) {
      if (flags[i] === 1) continue;
      flags[i] = 1;
      left--;
    }
    return flags;
  }

  /** Index of `digest` among the stored digests, or, when it is not there, `~i` (negative) for `i` where it would go. */
  #find(digest: Buffer): number {
    const n = SignatureFile.digestBytes;
    const stored = this.#stored;
    // Digests are uniformly random: their first 32 bits almost always decide, read as a number (cheap);
    // the whole digest is compared only when those are equal.
    const head = digest.readUInt32BE(0);
    let lo = 0;
    let hi = stored.length / n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = stored.readUInt32BE(mid * n);
      // Negative when the stored digest sorts first.
      const c = at !== head ? at - head : stored.compare(digest, 0, n, mid * n, (mid + 1) * n);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return ~lo;
  }
}

/**
 * Where a short-lived reader of this user keeps its file:
 * `$XDG_CACHE_HOME/cohort/verified-signatures`, else
 * `~/.cache/cohort/verified-signatures`; undefined when
 * COHORT_SIGNATURE_CACHE is `off` (or 0, false, no) or there is no home.
 */
export function signatureFilePath(env: NodeJS.ProcessEnv, homedir: string): string | undefined {
  if (/^(off|0|false|no)$/i.test(env['COHORT_SIGNATURE_CACHE'] ?? '')) return undefined;
  const base = env['XDG_CACHE_HOME'] ? env['XDG_CACHE_HOME'] : homedir ? join(homedir, '.cache') : undefined;
  return base === undefined ? undefined : join(base, 'cohort', 'verified-signatures');
}

/** The digests of a signatures file, or none (missing, not ours, foreign header, truncated). */
function readDigests(file: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== process.geteuid?.() || (st.mode & 0o022) !== 0) return Buffer.alloc(0);
    const data = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const r = readSync(fd, data, got, st.size - got, got);
      if (r === 0) break;
      got += r;
    }
    const { header, digestBytes } = SignatureFile;
    if (got !== st.size || got < header.length || !data.subarray(0, header.length).equals(header) || (got - header.length) % digestBytes !== 0) return Buffer.alloc(0);
    return data.subarray(header.length);
  } catch {
    return Buffer.alloc(0);
  } finally {
    closeSync(fd);
  }
}

/**
 * A directory only we can write to (owned by the effective user, not group-
 * or world-writable), or one that does not exist yet (made with mode 0700).
 */
export function ownedByUs(dir: string): boolean {
  try {
    const st = statSync(dir);
    return st.isDirectory() && st.uid === process.geteuid?.() && (st.mode & 0o022) === 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
