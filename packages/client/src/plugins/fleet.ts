import type { RegisteredPlugin, RegisteredPluginError } from '@cohort/core';
import type { ReadManifest } from './manifests.js';

/** What one node reports about one plugin. */
export interface NodePluginState {
  readonly identity: string;
  /** The version it runs (undefined: none). */
  readonly running: RegisteredPlugin | undefined;
  /** Why it refused the desired version, if it did. */
  readonly error: RegisteredPluginError | undefined;
  /** Runs something other than the desired release (or runs it while it should be removed). */
  readonly drift: boolean;
}

/** One plugin across the fleet: the desired release (from the verified manifest) and each node's state. */
export interface PluginFleetRow {
  readonly name: string;
  /** The desired version; null when removed; undefined when the manifest does not verify. */
  readonly desired: string | null | undefined;
  readonly digest: string | undefined;
  readonly state: string | undefined;
  readonly signer: string;
  /** Why the stored manifest is not trusted by this reader, if it is not. */
  readonly unverified: string | undefined;
  readonly rollout: { batch: number; settle: number } | null;
  readonly nodes: readonly NodePluginState[];
  readonly previous: readonly string[];
}

/** Registry record fields plugin ls reads. */
export interface NodePluginReport {
  readonly identity: string;
  readonly plugins?: readonly RegisteredPlugin[] | undefined;
  readonly plugin_errors?: readonly RegisteredPluginError[] | undefined;
}

/** Join the manifests with what each node reports (nodes that report nothing about a plugin are left out of its row). */
export function pluginFleet(manifests: readonly ReadManifest[], nodes: readonly NodePluginReport[]): PluginFleetRow[] {
  const names = new Set<string>(manifests.map((m) => m.name));
  for (const n of nodes) for (const p of [...(n.plugins ?? []), ...(n.plugin_errors ?? [])]) names.add(p.name);
  const byName = new Map(manifests.map((m) => [m.name, m]));
  return [...names].sort().map((name) => {
    const m = byName.get(name);
    const release = m?.verified ? m.manifest.release : undefined;
    const digest = release?.digest;
    const removed = m?.verified === true && m.manifest.release === null;
    const rows = nodes.flatMap((n) => {
      const running = n.plugins?.find((p) => p.name === name);
      const error = n.plugin_errors?.find((e) => e.name === name);
      if (!running && !error) return [];
      const drift = removed ? running !== undefined : digest !== undefined && running?.digest !== digest;
      return [{ identity: n.identity, running, error, drift }];
    });
    return {
      name,
      desired: m?.verified ? (m.manifest.release?.version ?? null) : undefined,
      digest,
      state: release?.meta.state,
      signer: m ? (m.verified ? m.signer : m.claimed.signer) : 'unknown',
      unverified: m && !m.verified ? m.reason : m ? undefined : 'no manifest in the store',
      rollout: m?.verified ? m.manifest.rollout : null,
      nodes: rows.sort((a, b) => (a.identity < b.identity ? -1 : 1)),
      previous: m?.verified ? m.manifest.previous.map((p) => p.version) : [],
    };
  });
}
