import { decodeOwnJob } from '@cohort/client';
import type { Signer } from '@cohort/core';
import type { JobStore } from '@cohort/client';

/** The jobs that retry job `id` (newest last), for `cohort job show`. */
export async function retriesOf(store: JobStore, id: string, signer?: Signer): Promise<string[]> {
  const out: string[] = [];
  for (const m of await store.records()) {
    try {
      const r = decodeOwnJob(m.data, store.name, signer);
      if (r.retry_of === id) out.push(r.id);
    } catch {
      // A foreign or corrupt record links nothing.
    }
  }
  return out;
}
