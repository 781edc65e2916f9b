import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { timeoutArg } from '../session.js';
import { withJob } from './job-common.js';

/**
 * `cohort job watch ID`: the replies stored so far, then each new one as it
 * arrives, until every expected node replied or the wait ends (`-t` seconds
 * from now; by default the job's own deadline).
 */
export function runJobWatch(argv: Args, io: CliIo): Promise<Outcome> {
  const timeout = timeoutArg(argv);
  return withJob(argv, io, async ({ id, store, record, progress, take }) => {
    let lastSeq = 0;
    for (const m of await store.replies(id)) {
      take(m.data);
      lastSeq = Math.max(lastSeq, m.seq);
    }
    const waitMs = timeout !== undefined ? timeout * 1000 : Math.max(0, record.time + record.timeout * 1000 - Date.now());
    if (progress.complete || waitMs <= 0) return;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const timer = setTimeout(() => finish(), waitMs);
    const follow = await store.follow(id, lastSeq + 1, (m) => {
      take(m.data);
      if (progress.complete) finish();
    });
    await done;
    clearTimeout(timer);
    await follow.stop();
  });
}
