import { isSubjectSafe, statusLabels, UsageError, type StatusCode } from '@cohort/core';
import { bool, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { renderInventory } from '../render/inventory.js';
import { stringifyJson } from '../render/json.js';
import { openSession, timeoutArg } from '../session.js';
import { collectCall } from './call.js';
import { inventoryFromRegistry } from './inventory-registry.js';

/** `cohort inventory IDENTITY`: the node's registry record when there is one (instant), else (or with --live) rpcutil inventory sent directly to the node. */
export async function runInventory(argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io);
  const identity = str(argv, 'identity') ?? '';
  if (!isSubjectSafe(identity)) throw new UsageError(`'${identity}' is not a node identity (letters, digits, _ - : . @ only)`);
  const timeout = timeoutArg(argv);
  const client = await session.connect();
  try {
    if (!bool(argv, 'live')) {
      const fromRegistry = await inventoryFromRegistry(client, session, identity);
      if (fromRegistry) return fromRegistry;
    }
    const call = client.rpc({
      agent: 'rpcutil',
      action: 'inventory',
      filter: session.filter,
      nodes: [identity],
      ...(timeout !== undefined ? { timeout } : {}),
    });
    const { replies, stats } = await collectCall(call, io, session);
    const reply = replies.find((r) => r.sender === identity && !r.unexpected);
    if (session.json) {
      const doc = reply
        ? { sender: reply.sender, statuscode: reply.statuscode, statusmsg: reply.statusmsg, data: reply.data, stats }
        : { sender: identity, statuscode: null, statusmsg: 'no response', data: null, stats };
      io.stdout.write(stringifyJson(doc, io.stdout.isTTY));
    } else if (reply && reply.statuscode === 0) {
      io.stdout.write(`${renderInventory(identity, reply.data, io.stdout.columns ?? 80).join('\n')}\n`);
    }
    if (!reply) io.stderr.write(`No response from ${identity}: is it running, connected to the same NATS and collective, and does it match the filter?\n`);
    else if (reply.statuscode !== 0) {
      io.stderr.write(`${identity}: ${statusLabels[reply.statuscode as StatusCode] ?? reply.statuscode}: ${reply.statusmsg}\n`);
    }
    return { kind: 'rpc', stats };
  } finally {
    await client.close();
  }
}
