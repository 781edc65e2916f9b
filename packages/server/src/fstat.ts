/**
 * fstat() for filters, as the node evaluates it: asynchronously (a slow disk
 * or a huge file never blocks the event loop), only inside the directories
 * of `security.fstat_paths` (never /proc, /sys or /dev: reading those can
 * hang, and their contents are nobody's business), md5 only for regular,
 * world-readable files up to `security.fstat_max_digest_bytes`. Anything else is unknown
 * (undefined), so the filter term does not match; the same answer whether
 * the path exists or not.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { BoundedCache, type FstatResult } from '@cohort/core';

export interface FstatOptions {
  /** Directories fstat may look into. */
  readonly allow: readonly string[];
  /** Largest file hashed, in bytes. */
  readonly maxDigestBytes: number;
}

export type AsyncFstat = (path: string) => Promise<FstatResult | undefined>;

const never = ['/proc', '/sys', '/dev'];

function inside(path: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => {
    const d = dir.length > 1 && dir.endsWith(sep) ? dir.slice(0, -1) : dir;
    return path === d || path.startsWith(d === sep ? sep : d + sep);
  });
}

function fileType(stats: Awaited<ReturnType<typeof lstat>>): NonNullable<FstatResult['type']> {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'chardev';
  if (stats.isBlockDevice()) return 'blockdev';
  if (stats.isFIFO()) return 'fifo';
  return 'unknown';
}

function md5File(path: string): Promise<string | undefined> {
  return new Promise((done) => {
    const hash = createHash('md5');
    const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', () => done(undefined));
    stream.on('end', () => done(hash.digest('hex')));
  });
}

function errno(err: unknown): string | undefined {
  return err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
}

/** The node's fstat for filters. md5 sums are memoised per path while inode, size and mtime are unchanged. */
export function createFstat(options: FstatOptions): AsyncFstat {
  const allow = options.allow.map((d) => resolve(d));
  const md5s = new BoundedCache<string, { stamp: string; md5: string }>(128);
  const allowed = (path: string) => inside(path, allow) && !inside(path, never);

  return async (path) => {
    if (!isAbsolute(path) || !allowed(resolve(path))) return undefined;
    // The directory's symlinks resolved, the last component not (fstat reports a symlink as one).
    let real: string;
    try {
      real = join(await realpath(dirname(resolve(path))), basename(path));
    } catch (err) {
      const code = errno(err);
      return code === 'ENOENT' || code === 'ENOTDIR' ? { present: false } : undefined;
    }
    if (!allowed(real)) return undefined;
    let stats;
    try {
      stats = await lstat(real);
    } catch (err) {
      const code = errno(err);
      return code === 'ENOENT' || code === 'ENOTDIR' ? { present: false } : undefined;
    }
    const result: FstatResult = {
      present: true,
      type: fileType(stats),
      size: stats.size,
      mode: (stats.mode & 0o7777).toString(8),
      mtime: Math.floor(stats.mtimeMs / 1000),
    };
    // Only what any local user could read is hashed: the node (often root) discloses nothing more.
    if (stats.isFile() && (stats.mode & 0o004) !== 0 && stats.size <= options.maxDigestBytes) {
      const stamp = `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
      const hit = md5s.get(real);
      const md5 = hit?.stamp === stamp ? hit.md5 : await md5File(real);
      if (md5 !== undefined) {
        md5s.set(real, { stamp, md5 });
        result.md5 = md5;
      }
    }
    return result;
  };
}
