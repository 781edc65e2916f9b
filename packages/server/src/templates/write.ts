import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Write `content` to `path` atomically: a temporary file in the same
 * directory, flushed, then renamed over the old one (readers see the old or
 * the new file, never half of one). Keeps the old file's mode (new files:
 * 0644). Returns false, writing nothing, when the file already holds exactly
 * `content`.
 */
export function writeAtomic(path: string, content: string): boolean {
  const bytes = Buffer.from(content, 'utf8');
  let mode = 0o644;
  try {
    if (readFileSync(path).equals(bytes)) return false;
    mode = statSync(path).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const tmp = join(dirname(path), `.${basename(path)}.cohort-${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      fchmodSync(fd, mode);
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return true;
}
