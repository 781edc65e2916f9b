import {
  maxPreviousReleases,
  PluginKind,
  pluginObjectName,
  sealDataBytes,
  unpack,
  type Packed,
  type PluginManifest,
  type PluginPreviousRelease,
  type PluginRelease,
  type PluginRollout,
  type Signer,
  type TrustStore,
} from '@cohort/core';
import { newestVerified } from './manifests.js';
import type { PluginStore } from './store.js';

function asPrevious(r: PluginRelease | PluginPreviousRelease): PluginPreviousRelease {
  return { version: r.version, digest: r.digest, size: r.size, object: r.object, pushed_at: r.pushed_at };
}

/** The releases before `current`, newest first, without `exclude` (a version pushed again) and at most maxPreviousReleases. */
function previousOf(base: PluginManifest | undefined, exclude: string): PluginPreviousRelease[] {
  if (!base) return [];
  const list = [...(base.release ? [asPrevious(base.release)] : []), ...base.previous];
  const seen = new Set<string>();
  return list.filter((p) => p.digest !== exclude && !seen.has(p.digest) && seen.add(p.digest)).slice(0, maxPreviousReleases);
}

export interface PushResult {
  readonly manifest: PluginManifest;
  /** The version it replaced as desired, if any. */
  readonly replaced: string | undefined;
}

/**
 * Store a packed plugin and make it the desired version: the pack goes into
 * the object store as `<name>/<version>`, then a manifest naming it (digest,
 * files, meta, the earlier releases and the rollout) is signed with the
 * caller's key and stored under the plugin's name. Nodes act on the manifest.
 */
export async function pushPlugin(store: PluginStore, packed: Packed, signer: Signer, trust: TrustStore, options: { rollout?: PluginRollout | null; now?: number } = {}): Promise<PushResult> {
  const now = options.now ?? Date.now();
  const name = packed.meta.name;
  const base = newestVerified(name, await store.history(name), trust, now);
  const same = [...(base?.manifest.release ? [base.manifest.release] : []), ...(base?.manifest.previous ?? [])].find((r) => r.version === packed.meta.version && r.digest !== packed.digest);
  if (same) throw new Error(`${name} ${packed.meta.version} was already pushed with other content (digest ${same.digest.slice(0, 16)}); bump version in plugin.yaml`);
  const object = pluginObjectName(name, packed.meta.version);
  await store.putObject(object, packed.bytes);
  const release: PluginRelease = { version: packed.meta.version, digest: packed.digest, size: packed.bytes.byteLength, object, files: packed.header.files, meta: packed.meta, pushed_at: now };
  const manifest: PluginManifest = { name, release, previous: previousOf(base?.manifest, packed.digest), rollout: options.rollout ?? null };
  await store.putManifest(name, sealDataBytes(PluginKind.Manifest, manifest, signer, now));
  return { manifest, replaced: base?.manifest.release?.version };
}

/**
 * Make the release before the current one desired again (`cohort plugin
 * rollback`): starts from the newest manifest that verifies, fetches the
 * earlier pack and checks it against its recorded digest before signing a
 * manifest naming it. Each rollback goes one release further back; after
 * `rm`, it restores the removed release.
 */
export async function rollbackPlugin(store: PluginStore, name: string, signer: Signer, trust: TrustStore, options: { rollout?: PluginRollout | null; now?: number } = {}): Promise<{ manifest: PluginManifest; from: string | undefined }> {
  const now = options.now ?? Date.now();
  const base = newestVerified(name, await store.history(name), trust, now);
  if (!base) throw new Error(`there is no verified manifest of plugin '${name}' to roll back from`);
  const target = base.manifest.previous[0];
  if (!target) throw new Error(`plugin '${name}' has no earlier release to roll back to (it runs ${base.manifest.release?.version ?? 'nothing'})`);
  const bytes = await store.getObject(target.object, 64 * 1024 * 1024);
  if (!bytes) throw new Error(`the pack ${target.object} of ${name} ${target.version} is no longer in the plugins bucket; push that version again`);
  const { createHash } = await import('node:crypto');
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== target.digest) throw new Error(`the stored pack ${target.object} does not match its recorded digest (sha256 ${digest}, recorded ${target.digest}); push that version again`);
  const unpacked = unpack(bytes);
  const release: PluginRelease = { version: target.version, digest: target.digest, size: target.size, object: target.object, files: unpacked.header.files, meta: unpacked.meta, pushed_at: target.pushed_at };
  // Walking back: the release rolled back from leaves the list (push it again to return to it), so a second rollback goes further back.
  const previous = base.manifest.previous.slice(1, 1 + maxPreviousReleases);
  const manifest: PluginManifest = { name, release, previous, rollout: options.rollout !== undefined ? options.rollout : base.manifest.rollout };
  await store.putManifest(name, sealDataBytes(PluginKind.Manifest, manifest, signer, now));
  return { manifest, from: base.manifest.release?.version };
}

/** Remove a plugin from every node (`cohort plugin rm`): a signed manifest with no release; the earlier releases stay listed for a rollback. */
export async function removePlugin(store: PluginStore, name: string, signer: Signer, trust: TrustStore, now = Date.now()): Promise<{ removed: string | undefined }> {
  const history = await store.history(name);
  if (history.length === 0) throw new Error(`there is no plugin '${name}' in the store`);
  const base = newestVerified(name, history, trust, now);
  const manifest: PluginManifest = { name, release: null, previous: previousOf(base?.manifest, ''), rollout: null };
  await store.putManifest(name, sealDataBytes(PluginKind.Manifest, manifest, signer, now));
  return { removed: base?.manifest.release?.version };
}
