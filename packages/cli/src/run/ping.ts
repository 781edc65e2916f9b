import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { startProgress } from '../progress.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';
import { discoverNodes, noNodesText } from './discover.js';

/** `cohort ping`: per node `<id>  time=<ms> ms`, then `---- ping statistics ----` and `N replies max: min: avg:`. */
export async function runPing(argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io);
  const client = await session.connect();
  try {
    let count = 0;
    const progress = await startProgress(io, session.progress, () => `${count} replies`);
    let result;
    try {
      result = await discoverNodes(client, session, (node) => {
        count++;
        if (!session.json) progress.around(() => io.stdout.write(`${node.identity.padEnd(40)} time=${node.elapsed_ms.toFixed(2)} ms\n`));
      });
    } finally {
      progress.stop();
    }
    const times = result.nodes.map((n) => n.elapsed_ms);
    const stats = {
      responded: times.length,
      min_ms: times.length ? round(Math.min(...times)) : 0,
      max_ms: times.length ? round(Math.max(...times)) : 0,
      avg_ms: times.length ? round(times.reduce((a, b) => a + b, 0) / times.length) : 0,
      discovery_ms: round(result.discovery_ms),
    };
    if (session.json) {
      const replies = result.nodes.map((n) => ({ sender: n.identity, time_ms: round(n.elapsed_ms) }));
      io.stdout.write(stringifyJson({ replies, stats }, io.stdout.isTTY));
    } else if (times.length > 0) {
      io.stdout.write(
        `\n---- ping statistics ----\n${times.length} replies max: ${stats.max_ms.toFixed(2)} min: ${stats.min_ms.toFixed(2)} avg: ${stats.avg_ms.toFixed(2)}\n`,
      );
    }
    if (times.length === 0) io.stderr.write(`${noNodesText(session)}\n`);
    return { kind: 'found', count: times.length };
  } finally {
    await client.close();
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
