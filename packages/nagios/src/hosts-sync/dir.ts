import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { ExistingFile, SyncPlan } from './plan.js';

/**
 * The output directory on disk: reading its `.cfg` files and applying a plan
 * atomically (each file written to a temporary name that Nagios ignores,
 * flushed, then renamed over the old one; Nagios never reads half a file).
 */

/** Temporary files end like this (not `.cfg`: Nagios' cfg_dir reads only `.cfg` files). */
const tempSuffix = '.cohort-tmp';

/** Why `dir` cannot be used (missing, not a directory, not writable), or undefined. */
export function dirProblem(dir: string): string | undefined {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return `--dir ${dir} does not exist (create it, and include it in the Nagios configuration with cfg_dir=${dir})`;
  }
  if (!isDir) return `--dir ${dir} is not a directory`;
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return `--dir ${dir} is not writable by this user`;
  }
  return undefined;
}

/** Every `.cfg` file directly in `dir`, with its content. Removes temporary files a crash left behind. */
export function scanDir(dir: string): Map<string, ExistingFile> {
  const out = new Map<string, ExistingFile>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(tempSuffix)) {
      try {
        unlinkSync(join(dir, entry.name));
      } catch {
        // someone else's, or already gone
      }
      continue;
    }
    if (!entry.isFile() || !entry.name.endsWith('.cfg')) continue;
    try {
      out.set(entry.name, { content: readFileSync(join(dir, entry.name), 'utf8') });
    } catch {
      // vanished between readdir and read
    }
  }
  return out;
}

let tempCounter = 0;

/** Write `content` to `dir/name` atomically. */
export function writeAtomic(dir: string, name: string, content: string): void {
  const temp = join(dir, `.${name}.${process.pid}.${++tempCounter}${tempSuffix}`);
  const fd = openSync(temp, 'w', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, join(dir, name));
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // best effort
    }
    throw err;
  }
}

/** Apply a plan: write, then delete. Throws on the first failure (the next sync retries). */
export function applyPlan(dir: string, plan: SyncPlan): void {
  for (const [name, content] of plan.write) writeAtomic(dir, name, content);
  for (const name of plan.remove) {
    try {
      unlinkSync(join(dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
