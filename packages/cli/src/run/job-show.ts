import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { withJob } from './job-common.js';

/** `cohort job show ID`: the replies stored so far, the summary, and the nodes that have not replied. */
export function runJobShow(argv: Args, io: CliIo): Promise<Outcome> {
  return withJob(argv, io, async ({ id, store, take }) => {
    for (const m of await store.replies(id)) take(m.data);
  });
}
