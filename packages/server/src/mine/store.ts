import { BucketNotCreatableError, errorMessage, MineKind, mineKey, mineValuesSpec, sealDataBytes, type MineValue, type Signer } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { BucketOpener, RegistryBucket } from '../registration/bucket.js';

/**
 * Writes this node's mined values, each signed with the node key (signed
 * data of kind `mine`), into the mine bucket of every collective it joined;
 * latest value only. Write failures are logged once per outage and the value
 * is simply written again at the function's next run.
 */
export class MineStore {
  readonly #identity: string;
  readonly #collectives: readonly string[];
  readonly #open: BucketOpener;
  readonly #signer: Signer;
  readonly #log: Logger;
  readonly #buckets = new Map<string, Promise<RegistryBucket>>();
  readonly #written = new Set<string>();
  #failing = false;

  constructor(options: { identity: string; collectives: readonly string[]; openBucket: BucketOpener; signer: Signer; log: Logger }) {
    this.#identity = options.identity;
    this.#collectives = options.collectives;
    this.#open = options.openBucket;
    this.#signer = options.signer;
    this.#log = options.log;
  }

  /** Sign and store `value` in every collective. Never rejects. */
  async put(value: MineValue): Promise<void> {
    const bytes = sealDataBytes(MineKind.Value, value, this.#signer, value.time);
    const key = mineKey(value.function, this.#identity);
    const results = await Promise.all(this.#collectives.map((c) => this.#bucket(c).then((b) => b.put(key, bytes)).then(() => undefined, (err: unknown) => err)));
    const failed = results.find((r) => r !== undefined);
    if (failed === undefined) {
      this.#written.add(value.function);
      if (this.#failing) this.#log.info('mine: writing values again');
      this.#failing = false;
    } else if (!this.#failing) {
      this.#failing = true;
      const hint = failed instanceof BucketNotCreatableError ? '' : '; is JetStream enabled (nats-server -js)?';
      this.#log.warn(`mine: cannot write ${key} (${errorMessage(failed)})${hint}; retrying at the next run`);
    }
  }

  /** Remove this node's value of `fn` (the function is no longer defined here). Never rejects. */
  async delete(fn: string): Promise<void> {
    this.#written.delete(fn);
    const key = mineKey(fn, this.#identity);
    await Promise.all(
      this.#collectives.map((c) =>
        this.#bucket(c)
          .then((b) => b.delete(key))
          .catch((err: unknown) => this.#log.debug(`mine: could not delete ${key} in ${c}: ${errorMessage(err)}`)),
      ),
    );
  }

  /** Remove every value this node wrote (a clean leave). */
  async deleteAll(): Promise<void> {
    await Promise.all([...this.#written].map((fn) => this.delete(fn)));
  }

  #bucket(collective: string): Promise<RegistryBucket> {
    let b = this.#buckets.get(collective);
    if (b === undefined) {
      const spec = mineValuesSpec(collective);
      b = this.#open(spec.name, spec.maxAgeSeconds, spec.what);
      // A failed open is retried next time.
      b.catch(() => this.#buckets.delete(collective));
      this.#buckets.set(collective, b);
    }
    return b;
  }
}
