import { bool, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { groupFactValues, renderFactReport } from '../render/facts.js';
import { renderFooter } from '../render/footer.js';
import { stringifyJson } from '../render/json.js';
import { openSession, timeoutArg } from '../session.js';
import { collectCall } from './call.js';
import { noNodesText, noReplyHint } from './discover.js';
import { discoveryNote } from './discovery-note.js';
import { factsFromRegistry } from './facts-registry.js';

/** `cohort facts FACT`: from the registry when it can answer (instant), else (or with --live) rpcutil get_fact on every matching node; values counted. */
export async function runFacts(argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io);
  const fact = str(argv, 'fact') ?? '';
  const timeout = timeoutArg(argv);
  const client = await session.connect();
  try {
    if (!bool(argv, 'live') && !session.nodes) {
      const fromRegistry = await factsFromRegistry(client, session, fact);
      if (fromRegistry) return fromRegistry;
    }
    const call = client.rpc({
      agent: 'rpcutil',
      action: 'get_fact',
      data: { fact },
      filter: session.filter,
      ...(session.nodes ? { nodes: session.nodes } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
      // Without --live the registry was already ruled out above: broadcast.
      ...(bool(argv, 'live') ? { discoveryMethod: session.discoveryMethod, onDiscovery: discoveryNote(session) } : { discoveryMethod: 'broadcast' as const }),
    });
    const { replies, stats } = await collectCall(call, io, session);
    const groups = groupFactValues(replies);
    if (session.json) {
      const values = groups.map((g) => ({ value: g.value, count: g.nodes.length, nodes: g.nodes }));
      io.stdout.write(stringifyJson({ fact, values, stats }, io.stdout.isTTY));
    } else if (stats.discovered > 0) {
      const width = io.stdout.columns ?? 80;
      const lines = [
        ...renderFactReport(fact, groups, { verbose: session.verbose, width }),
        ...renderFooter(stats, { colour: session.colour, width, verbose: session.verbose }),
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    if (stats.discovered === 0) io.stderr.write(`${noNodesText(session)}\n`);
    io.stderr.write(noReplyHint(session, stats));
    return { kind: 'rpc', stats };
  } finally {
    await client.close();
  }
}
