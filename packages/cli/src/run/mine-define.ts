import { mineNamePattern, parseMineDuration, UsageError, formatMineDuration, type MineDefinition } from '@cohort/core';
import { mine, prepareRequest } from '@cohort/client';
import { list, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { openSession } from '../session.js';
import { mineKvOf } from './mine-common.js';
import { parseKeyValues } from './inputs.js';

function nameArg(argv: Args): string {
  const name = str(argv, 'name') ?? '';
  if (!mineNamePattern.test(name)) throw new UsageError(`mine function name '${name}' is not valid: 1 to 64 letters, digits, _ or -`);
  return name;
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseMineDuration(value);
  if (typeof ms === 'string') throw new UsageError(`${flag} ${ms}`);
  if (ms < 1000) throw new UsageError(`${flag} must be at least 1s`);
  return ms / 1000;
}

/** `cohort mine define NAME --agent A --action B [k=v...] --interval D [filters]`. */
export async function runMineDefine(argv: Args, io: CliIo): Promise<Outcome> {
  const name = nameArg(argv);
  const session = await openSession(argv, io);
  const agent = str(argv, 'agent') ?? '';
  const action = str(argv, 'action') ?? '';
  // Checked against the DDL here, and again by every node before it runs.
  const prepared = prepareRequest(session.ddl, agent, action, { raw: parseKeyValues(list(argv, 'inputs')) });
  const interval = seconds(str(argv, 'interval'), '--interval');
  if (interval === undefined) throw new UsageError('--interval is required (e.g. 60s, 5m)');
  const timeout = seconds(str(argv, 'timeout'), '--timeout');
  if (!session.signer) throw new UsageError(`a mine definition must be signed: give your key with --key, COHORT_KEY or key in the client config. ${session.unsignedHint}`.trim());
  const def: MineDefinition = { name, agent, action, inputs: prepared.data, interval, ...(timeout !== undefined ? { timeout } : {}), filter: session.filter };
  const bus = await session.openBus();
  try {
    await mine.defineMineFunction(mineKvOf(bus), session.collective, def, session.signer);
  } finally {
    await bus.close();
  }
  io.stdout.write(
    `defined ${name}: ${agent}#${action} every ${formatMineDuration(interval * 1000)} in collective ${session.collective}, signed by ${session.signer.subject}; ` +
      'matching nodes that trust you and whose policy allows you the action pick it up within seconds (see their audit logs)\n',
  );
  return { kind: 'done' };
}

/** `cohort mine undefine NAME`. */
export async function runMineUndefine(argv: Args, io: CliIo): Promise<Outcome> {
  const name = nameArg(argv);
  const session = await openSession(argv, io);
  const bus = await session.openBus();
  try {
    const found = await mine.undefineMineFunction(mineKvOf(bus), session.collective, name);
    if (!found) throw new UsageError(`there are no fleet-wide mine definitions in collective ${session.collective}`);
  } finally {
    await bus.close();
  }
  io.stdout.write(`undefined ${name} in collective ${session.collective}: nodes stop running it and remove their values\n`);
  return { kind: 'done' };
}
