import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginPackError } from './errors.js';
import { parsePluginMeta, pluginMetaFile, safeRelativePath, type PluginMeta } from './meta.js';

/**
 * The pack: a plugin directory as one deterministic byte string.
 *
 *   COHORT-PLUGIN-PACK 1\n
 *   {"format":1,"name":..,"version":..,"files":[{"path","size","sha256","mode"},...]}\n
 *   the bytes of each file, in the order listed (sorted by path)
 *
 * The same directory always packs to the same bytes (no times, owners or
 * directory order), so its sha256 (the digest) names it. Unpacking checks
 * every path (no `..`, no absolute paths, no dot files), every size and
 * sha256, and the limits below, before anything is written anywhere.
 */
export const packMagic = 'COHORT-PLUGIN-PACK 1\n';

export interface PackLimits {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
}

export const defaultPackLimits: PackLimits = { maxFiles: 256, maxFileBytes: 8 * 1024 * 1024, maxTotalBytes: 16 * 1024 * 1024 };
const maxHeaderBytes = 256 * 1024;

/** One file of a pack: where it goes, its size, sha256 (hex) and mode (0o644 or 0o755). */
export interface PackFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly mode: number;
}

export interface PackHeader {
  readonly format: 1;
  readonly name: string;
  readonly version: string;
  readonly files: readonly PackFile[];
}

/** A pack and what identifies it. */
export interface Packed {
  readonly bytes: Uint8Array;
  /** sha256 of `bytes`, hex. */
  readonly digest: string;
  readonly header: PackHeader;
  readonly meta: PluginMeta;
}

/** A verified, unpacked plugin: its header, meta and file contents. */
export interface Unpacked {
  readonly header: PackHeader;
  readonly meta: PluginMeta;
  readonly files: ReadonlyArray<PackFile & { readonly data: Uint8Array }>;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The files of a directory, recursively, sorted; dot files and dot directories are left out. Refuses symlinks and special files. */
function collect(dir: string, prefix: string, out: Array<{ path: string; file: string }>, limits: PackLimits): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    const full = join(dir, e.name);
    const st = lstatSync(full);
    if (st.isSymbolicLink()) throw new PluginPackError(`${full}: a symbolic link; a plugin holds only regular files`);
    if (st.isDirectory()) {
      collect(full, rel, out, limits);
      continue;
    }
    if (!st.isFile()) throw new PluginPackError(`${full}: not a regular file`);
    if (!safeRelativePath(rel)) throw new PluginPackError(`${full}: the path '${rel}' is not allowed in a plugin (letters, digits, '._-' and at most 4 levels deep)`);
    if (st.size > limits.maxFileBytes) throw new PluginPackError(`${full}: ${st.size} bytes, more than the ${limits.maxFileBytes} a plugin file may hold`);
    out.push({ path: rel, file: full });
    if (out.length > limits.maxFiles) throw new PluginPackError(`${dir}: more than ${limits.maxFiles} files in the plugin`);
  }
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Pack files (path -> bytes and mode) into the deterministic format. Checks meta, paths and limits. */
export function packFiles(entries: ReadonlyArray<{ path: string; data: Uint8Array; mode: number }>, limits: PackLimits = defaultPackLimits, metaLabel = pluginMetaFile): Packed {
  const sorted = [...entries].sort(byPath);
  const metaEntry = sorted.find((e) => e.path === pluginMetaFile);
  if (!metaEntry) throw new PluginPackError(`no ${metaLabel} in the plugin directory (name, title, description, version, state, config)`);
  const meta = parsePluginMeta(decoder.decode(metaEntry.data), metaLabel);
  if (sorted.length > limits.maxFiles) throw new PluginPackError(`more than ${limits.maxFiles} files in the plugin`);
  let total = 0;
  const files: PackFile[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i] as (typeof sorted)[number];
    if (!safeRelativePath(e.path)) throw new PluginPackError(`the path '${e.path}' is not allowed in a plugin`);
    if (i > 0 && sorted[i - 1]?.path === e.path) throw new PluginPackError(`the path '${e.path}' appears twice`);
    if (e.data.byteLength > limits.maxFileBytes) throw new PluginPackError(`${e.path}: ${e.data.byteLength} bytes, more than the ${limits.maxFileBytes} a plugin file may hold`);
    total += e.data.byteLength;
    files.push({ path: e.path, size: e.data.byteLength, sha256: sha256Hex(e.data), mode: e.mode & 0o111 ? 0o755 : 0o644 });
  }
  if (total > limits.maxTotalBytes) throw new PluginPackError(`the plugin holds ${total} bytes, more than the ${limits.maxTotalBytes} allowed`);
  if (meta.results_template !== undefined && !files.some((f) => f.path === meta.results_template)) {
    throw new PluginPackError(`${metaLabel}: results_template '${meta.results_template}' is not a file in the plugin directory`);
  }
  const header: PackHeader = { format: 1, name: meta.name, version: meta.version, files };
  const head = encoder.encode(packMagic + JSON.stringify(header) + '\n');
  const bytes = new Uint8Array(head.byteLength + total);
  bytes.set(head, 0);
  let at = head.byteLength;
  for (const e of sorted) {
    bytes.set(e.data, at);
    at += e.data.byteLength;
  }
  return { bytes, digest: sha256Hex(bytes), header, meta };
}

/** Pack a plugin directory (see {@link packMagic}); throws PluginPackError naming the offending file. */
export function packDirectory(dir: string, limits: PackLimits = defaultPackLimits): Packed {
  const found: Array<{ path: string; file: string }> = [];
  try {
    if (!lstatSync(dir).isDirectory()) throw new PluginPackError(`${dir}: not a directory`);
  } catch (err) {
    if (err instanceof PluginPackError) throw err;
    throw new PluginPackError(`${dir}: cannot read the plugin directory: ${(err as Error).message}`, { cause: err });
  }
  collect(dir, '', found, limits);
  return packFiles(found.map((f) => ({ path: f.path, data: readFileSync(f.file), mode: lstatSync(f.file).mode })), limits, join(dir, pluginMetaFile));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function headerProblem(h: unknown, limits: PackLimits): string | undefined {
  if (!isRecord(h) || h['format'] !== 1) return 'the header is not a format 1 pack header';
  if (typeof h['name'] !== 'string' || typeof h['version'] !== 'string') return 'the header has no name or version';
  const files = h['files'];
  if (!Array.isArray(files)) return 'the header lists no files';
  if (files.length > limits.maxFiles) return `the pack lists ${files.length} files, more than ${limits.maxFiles}`;
  let previous = '';
  for (const f of files as unknown[]) {
    if (!isRecord(f)) return 'a file entry is not an object';
    const { path, size, sha256, mode } = f;
    if (typeof path !== 'string' || !safeRelativePath(path)) return `the path ${JSON.stringify(path).slice(0, 200)} is not allowed (absolute, '..', a dot file or too deep)`;
    if (path <= previous) return `the files are not sorted and unique at '${path}'`;
    previous = path;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > limits.maxFileBytes) return `${path}: size ${String(size)} out of bounds (at most ${limits.maxFileBytes})`;
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return `${path}: the sha256 is not 64 hex digits`;
    if (mode !== 0o644 && mode !== 0o755) return `${path}: mode ${String(mode)} is neither 0644 nor 0755`;
  }
  return undefined;
}

/**
 * Read a pack: magic, header, each file's bytes against its size and sha256,
 * nothing left over, the meta file parsed and naming the header's name and
 * version. Throws PluginPackError saying what does not match. Writes nothing.
 */
export function unpack(bytes: Uint8Array, limits: PackLimits = defaultPackLimits): Unpacked {
  const magic = encoder.encode(packMagic);
  if (bytes.byteLength > limits.maxTotalBytes + maxHeaderBytes) throw new PluginPackError(`the pack is ${bytes.byteLength} bytes, more than allowed`);
  if (bytes.byteLength < magic.byteLength || !magic.every((b, i) => bytes[i] === b)) throw new PluginPackError('not a Cohort plugin pack (bad magic)');
  const end = bytes.indexOf(0x0a, magic.byteLength);
  if (end < 0 || end - magic.byteLength > maxHeaderBytes) throw new PluginPackError('the pack header is missing or too long');
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(magic.byteLength, end)));
  } catch (err) {
    throw new PluginPackError(`the pack header is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const problem = headerProblem(header, limits);
  if (problem) throw new PluginPackError(`bad pack: ${problem}`);
  const h = header as PackHeader;
  const total = h.files.reduce((n, f) => n + f.size, 0);
  if (total > limits.maxTotalBytes) throw new PluginPackError(`the pack holds ${total} bytes, more than the ${limits.maxTotalBytes} allowed`);
  if (end + 1 + total !== bytes.byteLength) throw new PluginPackError(`the pack is ${bytes.byteLength} bytes but its header accounts for ${end + 1 + total}`);
  let at = end + 1;
  const files = h.files.map((f) => {
    const data = bytes.subarray(at, at + f.size);
    at += f.size;
    const actual = sha256Hex(data);
    if (actual !== f.sha256) throw new PluginPackError(`${f.path}: sha256 ${actual} does not match the ${f.sha256} listed`);
    return { ...f, data };
  });
  const metaFile = files.find((f) => f.path === pluginMetaFile);
  if (!metaFile) throw new PluginPackError(`the pack holds no ${pluginMetaFile}`);
  const meta = parsePluginMeta(decoder.decode(metaFile.data), pluginMetaFile);
  if (meta.name !== h.name || meta.version !== h.version) throw new PluginPackError(`${pluginMetaFile} says ${meta.name} ${meta.version} but the pack header says ${h.name} ${h.version}`);
  return { header: h, meta, files };
}
