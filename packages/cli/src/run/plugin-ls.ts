import { plugins } from '@cohort/client';
import { str, bool, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { renderPluginLs } from '../render/plugin-ls.js';
import { openSession } from '../session.js';
import { manifestTrust } from './plugin-common.js';

/** `cohort plugin ls [NAME]`: manifests (verified) joined with the nodes' signed registry records. */
export async function runPluginLs(argv: Args, io: CliIo): Promise<Outcome> {
  const only = str(argv, 'name');
  const session = await openSession(argv, io);
  const trust = manifestTrust(argv, session);
  const bus = await session.openBus();
  let manifests: plugins.ReadManifest[] = [];
  try {
    if (!bus.plugins) throw new Error('this connection has no JetStream: pushed plugins need NATS JetStream');
    const store = await bus.plugins(session.collective, false);
    if (!('missing' in store)) manifests = (await store.manifests()).map((m) => plugins.readManifest(m.name, m.bytes, trust));
  } finally {
    await bus.close();
  }
  const client = await session.connect();
  let reports: plugins.NodePluginReport[] = [];
  try {
    const registry = await client.registry();
    if (registry.unavailable !== undefined) io.stderr.write(`cannot read the registry (what nodes run is unknown): ${registry.unavailable}\n`);
    else reports = registry.nodes().map((n) => ({ identity: n.identity, plugins: n.record.plugins, plugin_errors: n.record.plugin_errors }));
  } finally {
    await client.close();
  }
  const rows = plugins.pluginFleet(manifests, reports).filter((r) => only === undefined || r.name === only);
  if (session.json) io.stdout.write(stringifyJson(rows, io.stdout.isTTY));
  else io.stdout.write(renderPluginLs(rows, bool(argv, 'verbose') || only !== undefined));
  const trouble = rows.some((r) => r.unverified !== undefined || r.nodes.some((n) => n.drift || n.error));
  return trouble ? { kind: 'nagios', state: 1 } : { kind: 'done' };
}
