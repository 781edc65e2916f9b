import { decodeJob } from '@cohort/client';
import type { JobStore } from '@cohort/client';

/** The jobs that retry job `id` (newest last), for `cohort job show`. */
export async function retriesOf(store: JobStore, id: string): Promise<string[]> {
  const out: string[] = [];
  for (const m of await store.records()) {
    try {
      const r = decodeJob(m.data, store.name);
      if (r.retry_of === id) out.push(r.id);
    } catch {
      // A foreign or corrupt record links nothing.
    }
  }
  return out;
}
