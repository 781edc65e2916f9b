// A plugin store in memory (the client's PluginStore interface): packs by
// object name, manifests with their history, no rollout slots.
import type { plugins } from '@cohort/client';

export type MemoryPluginStore = plugins.PluginStore & { objects: Map<string, Uint8Array>; kv: Map<string, Uint8Array[]> };

export function memoryPluginStore(): MemoryPluginStore {
  const objects = new Map<string, Uint8Array>();
  const kv = new Map<string, Uint8Array[]>();
  return {
    objects,
    kv,
    putObject: async (o, b) => void objects.set(o, b),
    getObject: async (o) => objects.get(o),
    history: async (n) => [...(kv.get(n) ?? [])].reverse(),
    manifests: async () => [...kv].map(([name, list]) => ({ name, bytes: list[list.length - 1] as Uint8Array })),
    putManifest: async (n, b) => void kv.set(n, [...(kv.get(n) ?? []), b]),
    slots: async () => [],
  };
}
