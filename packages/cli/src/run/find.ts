import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { startProgress } from '../progress.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';
import { discoverNodes, noNodesText } from './discover.js';

/** `cohort find`: matching identities, sorted, one per line (`--json`: a JSON array of them). */
export async function runFind(argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io);
  const client = await session.connect();
  try {
    let count = 0;
    const progress = await startProgress(io, session.progress, () => `Discovering nodes: ${count} found`);
    let ids: string[];
    try {
      const { nodes } = await discoverNodes(client, session, () => count++, { registry: true });
      ids = nodes.map((n) => n.identity).sort();
    } finally {
      progress.stop();
    }
    if (session.json) io.stdout.write(stringifyJson(ids, io.stdout.isTTY));
    else if (ids.length > 0) io.stdout.write(`${ids.join('\n')}\n`);
    if (ids.length === 0) io.stderr.write(`${noNodesText(session)}\n`);
    return { kind: 'found', count: ids.length };
  } finally {
    await client.close();
  }
}
