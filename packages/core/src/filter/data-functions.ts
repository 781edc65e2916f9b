/**
 * Node-side data functions for compound filters, plugged into NodeView.data:
 * - `fstat(path)`: present, type, size, mode (octal string, e.g. '644'),
 *   mtime (unix seconds) and, for regular files, md5 of the contents;
 *   `{ present: false }` when the path does not exist;
 * - `fact(path)`: exists and value (dotted paths walk nested facts).
 * Everything is synchronous because filter matching is.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { BoundedCache } from './cache.js';
import { lookupFact } from './fact-lookup.js';
import type { Facts, FstatResult } from './types.js';

/** A NodeView.data implementation: function name and argument to a result record, undefined when unknown. */
export type DataFunction = (name: string, arg: string) => Record<string, unknown> | undefined;

/**
 * Create the node's data functions. `getFacts` is called on each `fact()` so
 * reloaded facts are seen. md5 sums are memoised per path while size, mtime
 * and inode are unchanged, so a discovery storm does not re-read large files.
 */
export function createDataFunctions(getFacts: () => Facts): DataFunction {
  const md5s = new BoundedCache<string, { stamp: string; md5: string }>(128);

  function md5Of(path: string, stats: Stats): string | undefined {
    const stamp = `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    const hit = md5s.get(path);
    if (hit !== undefined && hit.stamp === stamp) return hit.md5;
    const md5 = hashFile(path);
    if (md5 !== undefined) md5s.set(path, { stamp, md5 });
    return md5;
  }

  function fstat(path: string): FstatResult | undefined {
    let stats: Stats | undefined;
    try {
      stats = lstatSync(path, { throwIfNoEntry: false });
    } catch (err) {
      // A path through a non-directory cannot exist; anything else (permissions) is unknown.
      if (isErrno(err, 'ENOTDIR')) return { present: false };
      return undefined;
    }
    if (stats === undefined) return { present: false };
    const result: FstatResult = {
      present: true,
      type: fileType(stats),
      size: stats.size,
      mode: (stats.mode & 0o7777).toString(8),
      mtime: Math.floor(stats.mtimeMs / 1000),
    };
    if (stats.isFile()) {
      const md5 = md5Of(path, stats);
      if (md5 !== undefined) result.md5 = md5;
    }
    return result;
  }

  return (name, arg) => {
    if (name === 'fstat') return fstat(arg);
    if (name === 'fact') {
      const value = lookupFact(getFacts(), arg);
      return value === undefined ? { exists: false } : { exists: true, value };
    }
    return undefined;
  };
}

function fileType(stats: Stats): NonNullable<FstatResult['type']> {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'chardev';
  if (stats.isBlockDevice()) return 'blockdev';
  if (stats.isFIFO()) return 'fifo';
  return 'unknown';
}

/** md5 of a file, read in chunks so large files are not loaded whole; undefined when unreadable. */
function hashFile(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const hash = createHash('md5');
    const buffer = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
    return hash.digest('hex');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
