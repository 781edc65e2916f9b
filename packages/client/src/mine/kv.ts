/** A key-value bucket as the mine commands use it (NATS JetStream in kv-nats.ts; fakes in unit tests). */

/** One key's latest value, or its removal (`value` undefined). */
export interface KvEntry {
  readonly key: string;
  readonly value: Uint8Array | undefined;
  /** When the server stored it, unix ms. */
  readonly created: number;
}

export interface KvWatch {
  stop(): Promise<void>;
}

export interface MineKv {
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /** The current value of every key matching `filter` (`fn.>`, `>`), then (with `follow`) every change. Resolves after the current values. */
  watch(filter: string, onEntry: (entry: KvEntry) => void, follow: boolean): Promise<KvWatch>;
}

/** Why a bucket cannot be used. */
export interface KvMissing {
  readonly missing: string;
}

/** Reads a bucket's current values once, with no watch left behind (`filter` as for watch); KvMissing when there is no bucket. */
export type KvLatestReader = (bucket: string, filter: string, onEntry: (entry: KvEntry) => void) => Promise<KvMissing | undefined>;

/**
 * Opens a bucket; `create` makes it (history 1, values expiring after `ttlSeconds`, 0 = never) when missing, else a
 * missing bucket is KvMissing. `latest`, when given, is a faster way to do what opening without `create` and
 * one watch without `follow` do (NATS: one request instead of three, no per-message wrapping).
 */
export type MineKvOpener = ((name: string, create: boolean, ttlSeconds?: number) => Promise<MineKv | KvMissing>) & { readonly latest?: KvLatestReader };

export function isKvMissing(v: MineKv | KvMissing): v is KvMissing {
  return 'missing' in v;
}
