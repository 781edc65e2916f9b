import { ddlExtensions, errorMessage, parseDdl, verifyPack, type Ddl, type TrustStore } from '@cohort/core';
import { readManifest } from './manifests.js';
import type { PluginStore } from './store.js';

/** An agent's DDL found in a pushed plugin: from a verified manifest and a pack matching it. */
export interface PushedDdl {
  readonly ddl: Ddl;
  readonly plugin: string;
  readonly version: string;
  /** Who signed the manifest (a trusted caller). */
  readonly signer: string;
}

/** Why a pushed plugin holding the DDL could not be used. */
export interface PushedDdlRefused {
  readonly refused: string;
}

/**
 * The DDL of `agent` from the collective's pushed plugins, checked as plugin
 * sync checks what it installs: the manifest's signature against trusted
 * callers (without actionpolicy: the client has none), then the pack against
 * the signed manifest (size, digest, every file). The DDL is the pack's
 * top-level `<agent>.json|.yaml|.yml`; the plugin of the agent's name is
 * looked at first. Undefined when no pushed plugin lists such a file.
 */
export async function pushedDdl(store: PluginStore, agent: string, trust: TrustStore, now = Date.now()): Promise<PushedDdl | PushedDdlRefused | undefined> {
  const files = new Set(ddlExtensions.map((ext) => `${agent}${ext}`));
  const stored = (await store.manifests()).sort((a, b) => Number(b.name === agent) - Number(a.name === agent));
  const refusals: string[] = [];
  for (const { name, bytes } of stored) {
    const read = readManifest(name, bytes, trust, now);
    if (!read.verified) {
      // Unverified: its file list cannot be believed either; say so only for the plugin named like the agent.
      if (name === agent) refusals.push(`the manifest of plugin '${name}' does not verify (${read.reason})`);
      continue;
    }
    const release = read.manifest.release;
    const file = release?.files.find((f) => files.has(f.path));
    if (!release || !file) continue;
    const where = `plugin ${name} ${release.version}`;
    try {
      const pack = await store.getObject(release.object, release.size);
      if (!pack) throw new Error(`its pack ${release.object} is not in the plugins bucket`);
      const data = verifyPack(pack, name, release).files.find((f) => f.path === file.path)!.data;
      const ddl = parseDdl(new TextDecoder().decode(data), `${where}: ${file.path}`);
      if (ddl.metadata.name !== agent) throw new Error(`${file.path} describes agent '${ddl.metadata.name}'`);
      return { ddl, plugin: name, version: release.version, signer: read.signer };
    } catch (err) {
      refusals.push(`${where} (signed by ${read.signer}): ${errorMessage(err)}`);
    }
  }
  return refusals.length > 0 ? { refused: refusals.join('; ') } : undefined;
}
