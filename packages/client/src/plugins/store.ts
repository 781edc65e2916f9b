/** Where pushed plugins live (NATS JetStream in bus/plugins.ts; fakes in unit tests). */
export interface PluginStore {
  /** Store a pack under `object` (replacing one of that name). */
  putObject(object: string, bytes: Uint8Array): Promise<void>;
  /** A pack's bytes; undefined when there is no such object. */
  getObject(object: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /** The signed manifests of `name`, newest first (only stored values; deletes are left out). */
  history(name: string): Promise<Uint8Array[]>;
  /** The latest signed manifest of every plugin. */
  manifests(): Promise<Array<{ name: string; bytes: Uint8Array }>>;
  /** Store a signed manifest for `name`. */
  putManifest(name: string, bytes: Uint8Array): Promise<void>;
  /** Who holds rollout slots now (key -> holder). */
  slots(): Promise<Array<{ key: string; holder: string }>>;
}

/** Why the store cannot be used (no JetStream, no bucket yet). */
export interface PluginStoreMissing {
  readonly missing: string;
}

/** Opens a collective's plugin store; `create` makes the buckets when missing (push), else a missing one is PluginStoreMissing. */
export type PluginStoreOpener = (collective: string, create: boolean) => Promise<PluginStore | PluginStoreMissing>;

export function isStoreMissing(v: PluginStore | PluginStoreMissing): v is PluginStoreMissing {
  return 'missing' in v;
}
