import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Read a text file, or undefined when it does not exist (other errors throw). */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A temporary path beside `file` (same directory, so a rename is atomic). */
export function tempPathFor(file: string, tag = 'tmp'): string {
  return join(dirname(file), `.${basename(file)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Write `file` atomically: a temporary file in the same directory with
 * `mode`, then rename over the target, so readers see the old or the new
 * content, never half of it. Creates the directory when missing.
 */
export async function writeAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    await writeFile(tmp, content, { mode });
    await chmod(tmp, mode); // the umask may have narrowed it
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Write `file` only when its content differs; true when it changed. */
export async function writeIfChanged(file: string, content: string, mode = 0o644): Promise<boolean> {
  if ((await readIfExists(file)) === content) return false;
  await writeAtomic(file, content, mode);
  return true;
}
