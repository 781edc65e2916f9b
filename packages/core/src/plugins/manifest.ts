import { PluginPackError } from './errors.js';
import { pluginMetaProblem, pluginNamePattern, safeRelativePath, semverPattern, type PluginMeta } from './meta.js';
import { sha256Hex, unpack, type PackFile, type PackLimits, type Unpacked, defaultPackLimits } from './pack.js';

/** The signed-data kind of a plugin manifest (sealed with the operator's key). */
export const PluginKind = { Manifest: 'plugin-manifest' } as const;

/** The agent and action actionpolicy is asked about for a manifest's author ("may they push plugins to this node?"). */
export const pluginPushPolicy = { agent: 'plugin', action: 'push' } as const;

/** The object store bucket holding the packs of a collective: one object per `<name>/<version>`. */
export function pluginObjectsBucket(collective: string): string {
  return `cohort_plugins_${collective}`;
}

/** The key-value bucket of signed manifests, one key per plugin name: the desired version. */
export function pluginManifestsBucket(collective: string): string {
  return `cohort_plugin_manifests_${collective}`;
}

/** The key-value bucket of rollout slots (staged rollout: a node holds a slot while it updates). */
export function pluginRolloutBucket(collective: string): string {
  return `cohort_plugin_rollout_${collective}`;
}

/** The object name of a pack. */
export function pluginObjectName(name: string, version: string): string {
  return `${name}/${version}`;
}

/** One pushed version of a plugin: the pack it is and what it holds. */
export interface PluginRelease {
  readonly version: string;
  /** sha256 of the whole pack, hex. */
  readonly digest: string;
  readonly size: number;
  /** Object name in the plugins bucket. */
  readonly object: string;
  readonly files: readonly PackFile[];
  readonly meta: PluginMeta;
  /** When it was pushed (unix ms). */
  readonly pushed_at: number;
}

/** An earlier release, kept so `cohort plugin rollback` can make it desired again. */
export interface PluginPreviousRelease {
  readonly version: string;
  readonly digest: string;
  readonly size: number;
  readonly object: string;
  readonly pushed_at: number;
}

/** How many nodes may update at once, and how long each holds its slot after activating (seconds). */
export interface PluginRollout {
  readonly batch: number;
  readonly settle: number;
}

/**
 * The signed record under the plugin's name: the release nodes should run
 * (null once removed with `cohort plugin rm`), the earlier releases (newest
 * first), and an optional staged rollout.
 */
export interface PluginManifest {
  readonly name: string;
  readonly release: PluginRelease | null;
  readonly previous: readonly PluginPreviousRelease[];
  readonly rollout: PluginRollout | null;
}

export const maxPreviousReleases = 5;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const hex64 = /^[0-9a-f]{64}$/;

function previousProblem(p: unknown, at: string): string | undefined {
  if (!isRecord(p)) return `${at} is not an object`;
  if (typeof p['version'] !== 'string' || !semverPattern.test(p['version'])) return `${at}.version is not a semantic version`;
  if (typeof p['digest'] !== 'string' || !hex64.test(p['digest'])) return `${at}.digest is not a sha256`;
  if (typeof p['size'] !== 'number' || !Number.isSafeInteger(p['size']) || p['size'] < 0) return `${at}.size is not a byte count`;
  if (typeof p['object'] !== 'string' || !/^[a-z0-9_]+\/[0-9A-Za-z.+-]+$/.test(p['object'])) return `${at}.object is not an object name`;
  if (typeof p['pushed_at'] !== 'number') return `${at}.pushed_at is not a time`;
  return undefined;
}

/** What is wrong with a manifest's shape (verifyData's `check`), naming the field. */
export function pluginManifestProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'the manifest is not an object';
  const { name, release, previous, rollout } = value;
  if (typeof name !== 'string' || !pluginNamePattern.test(name)) return 'name is not a plugin name';
  if (!Array.isArray(previous) || previous.length > maxPreviousReleases) return `previous must be a list of at most ${maxPreviousReleases} releases`;
  for (const [i, p] of previous.entries()) {
    const problem = previousProblem(p, `previous[${i}]`);
    if (problem) return problem;
  }
  if (rollout !== null) {
    if (!isRecord(rollout)) return 'rollout must be null or { batch, settle }';
    if (typeof rollout['batch'] !== 'number' || !Number.isInteger(rollout['batch']) || rollout['batch'] < 1 || rollout['batch'] > 10_000) return 'rollout.batch must be an integer from 1 to 10000';
    if (typeof rollout['settle'] !== 'number' || rollout['settle'] < 0 || rollout['settle'] > 3600) return 'rollout.settle must be 0 to 3600 seconds';
  }
  if (release === null) return undefined;
  const problem = previousProblem(release, 'release');
  if (problem) return problem;
  const r = release as Record<string, unknown>;
  const metaProblem = pluginMetaProblem(r['meta']);
  if (metaProblem) return `release.meta: ${metaProblem}`;
  const meta = r['meta'] as PluginMeta;
  if (meta.name !== name || meta.version !== r['version']) return `release.meta names ${meta.name} ${meta.version}, not ${name} ${String(r['version'])}`;
  if (!Array.isArray(r['files']) || r['files'].length === 0) return 'release.files is empty';
  for (const f of r['files'] as unknown[]) {
    if (!isRecord(f) || typeof f['path'] !== 'string' || !safeRelativePath(f['path'])) return `release.files: the path ${JSON.stringify(isRecord(f) ? f['path'] : f).slice(0, 200)} is not allowed`;
    if (typeof f['sha256'] !== 'string' || !hex64.test(f['sha256'])) return `release.files: ${f['path']} has no sha256`;
  }
  return undefined;
}

/**
 * Check pack bytes against the release a signed manifest names: the size,
 * the digest of the whole pack, then (unpacking) each file's sha256 and that
 * the files are exactly those listed, and the name and version. Throws
 * PluginPackError saying what does not match; writes nothing.
 */
export function verifyPack(bytes: Uint8Array, name: string, release: Pick<PluginRelease, 'version' | 'digest' | 'size'> & { files?: readonly PackFile[] }, limits: PackLimits = defaultPackLimits): Unpacked {
  if (bytes.byteLength !== release.size) throw new PluginPackError(`the pack is ${bytes.byteLength} bytes, the manifest says ${release.size}`);
  const digest = sha256Hex(bytes);
  if (digest !== release.digest) throw new PluginPackError(`digest mismatch: the pack's sha256 is ${digest}, the signed manifest says ${release.digest}`);
  const unpacked = unpack(bytes, limits);
  if (unpacked.header.name !== name || unpacked.header.version !== release.version) {
    throw new PluginPackError(`the pack is ${unpacked.header.name} ${unpacked.header.version}, the manifest names ${name} ${release.version}`);
  }
  if (release.files) {
    const listed = JSON.stringify(release.files.map((f) => [f.path, f.size, f.sha256, f.mode]));
    const found = JSON.stringify(unpacked.files.map((f) => [f.path, f.size, f.sha256, f.mode]));
    if (listed !== found) throw new PluginPackError('the files in the pack are not the ones the signed manifest lists');
  }
  return unpacked;
}

/** Manifest versions kept per plugin in its bucket (`cohort plugin rollback` finds the newest verified one there). */
export const pluginManifestsHistory = 5;

/** Seconds a rollout slot lives when its node never gives it back (it crashed mid-update). */
export const pluginRolloutSlotTtl = 120;
