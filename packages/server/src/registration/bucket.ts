/**
 * The registry as the node writes it: one key-value bucket per collective.
 * Only kv.ts knows it is NATS JetStream; tests and the simulator may fake it.
 */

/** One collective's registry bucket. */
export interface RegistryBucket {
  /** Store `value` under `key` (replacing the previous value); resolves once the server has it. */
  put(key: string, value: Uint8Array): Promise<void>;
  /** Remove `key` (a clean shutdown). */
  delete(key: string): Promise<void>;
  /**
   * Call `onChange` with every value written to `key` from now on (undefined
   * for a delete or purge), whoever wrote it; returns a function that stops.
   * Optional: a bucket without it cannot notice its record being tampered with.
   */
  watchKey?(key: string, onChange: (value: Uint8Array | undefined) => void): () => void;
}

/**
 * Open (creating if needed) the bucket `name` whose records expire
 * `ttlSeconds` after their last write; `what` it holds names it in errors.
 * Rejects when the server has no JetStream or refuses the bucket (a
 * BucketNotCreatableError when this NATS user may not create it).
 */
export type BucketOpener = (name: string, ttlSeconds: number, what?: string) => Promise<RegistryBucket>;
