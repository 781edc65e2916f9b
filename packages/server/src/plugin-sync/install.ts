import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256Hex, type PackFile } from '@cohort/core';

/**
 * The node's side of installing a pushed plugin: each version goes into a
 * staging directory under `<root>/<name>/` and is renamed into place in one
 * step, so a half-written version is never loaded. The running version and
 * the one before it stay on disk (a rollback to it reads its verified bytes
 * back instead of fetching them); older ones are removed.
 */

/** The directory name prefix of one version of a plugin (a new directory per activation, so a module is never imported twice from one path). */
export function versionPrefix(version: string, digest: string): string {
  return `${version}-${digest.slice(0, 16)}-`;
}

/** Write verified files into a fresh staging directory and rename it into place; returns the version's directory. */
export async function installFiles(root: string, name: string, version: string, digest: string, files: ReadonlyArray<PackFile & { readonly data: Uint8Array }>): Promise<string> {
  const base = join(root, name);
  await mkdir(base, { recursive: true, mode: 0o755 });
  const staging = join(base, `.staging-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(staging, { mode: 0o755 });
    for (const f of files) {
      // Paths were checked when the pack was read (no '..', no absolute paths, no dot files); join keeps them inside.
      const target = join(staging, f.path);
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      await writeFile(target, f.data, { mode: f.mode, flag: 'wx' });
      await chmod(target, f.mode);
    }
    const final = join(base, `${versionPrefix(version, digest)}${Date.now()}`);
    await rename(staging, final);
    return final;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The files of an installed version read back, when a directory of that
 * version and digest is on disk and every listed file still has its sha256;
 * undefined otherwise (then the pack is fetched again).
 */
export async function readInstalled(root: string, name: string, version: string, digest: string, files: readonly PackFile[]): Promise<Array<PackFile & { data: Uint8Array }> | undefined> {
  const base = join(root, name);
  const prefix = versionPrefix(version, digest);
  let entries: string[];
  try {
    entries = (await readdir(base)).filter((e) => e.startsWith(prefix)).sort().reverse();
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    try {
      const out: Array<PackFile & { data: Uint8Array }> = [];
      for (const f of files) {
        const data = await readFile(join(base, entry, f.path));
        if (sha256Hex(data) !== f.sha256) throw new Error('changed');
        out.push({ ...f, data });
      }
      return out;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Remove every version directory of `name` but the ones kept, and leftover staging directories. */
export async function prune(root: string, name: string, keep: ReadonlySet<string>): Promise<void> {
  const base = join(root, name);
  let entries: string[];
  try {
    entries = await readdir(base);
  } catch {
    return;
  }
  await Promise.all(entries.filter((e) => !keep.has(join(base, e))).map((e) => rm(join(base, e), { recursive: true, force: true })));
}

/** Remove everything installed for `name`. */
export async function uninstall(root: string, name: string): Promise<void> {
  await rm(join(root, name), { recursive: true, force: true });
}
