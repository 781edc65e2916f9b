import type { Reply, RpcCall, RpcStats } from '@cohort/client';
import type { CliIo } from '../io.js';
import { startProgress } from '../progress.js';
import type { Session } from '../session.js';

/** Drain a call with a progress spinner (when allowed); returns every reply and the stats. */
export async function collectCall(call: RpcCall, io: CliIo, session: Session): Promise<{ replies: Reply[]; stats: RpcStats }> {
  const progress = await startProgress(io, session.progress, () => {
    const p = call.progress();
    return p.discovered === 0 ? 'Discovering nodes' : `${p.responded} / ${p.discovered} replies`;
  });
  const replies: Reply[] = [];
  try {
    for await (const reply of call) replies.push(reply);
  } finally {
    progress.stop();
  }
  return { replies, stats: await call.stats() };
}
