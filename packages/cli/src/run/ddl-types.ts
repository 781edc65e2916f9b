import { writeFileSync } from 'node:fs';
import { errorMessage, generateAgentTypes, loadDdlFile, UsageError } from '@cohort/core';
import { str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';

/** `cohort ddl types FILE [-o OUT]`: TypeScript types generated from a DDL. */
export async function runDdlTypes(argv: Args, io: CliIo): Promise<Outcome> {
  const file = str(argv, 'file') ?? '';
  const ddl = loadDdlFile(file);
  const source = generateAgentTypes(ddl, { source: file });
  const out = str(argv, 'output');
  if (out === undefined) {
    io.stdout.write(source.endsWith('\n') ? source : `${source}\n`);
    return { kind: 'done' };
  }
  try {
    writeFileSync(out, source);
  } catch (err) {
    throw new UsageError(`cannot write ${out}: ${errorMessage(err)}`, { cause: err });
  }
  io.stderr.write(`wrote ${out} (types for agent ${ddl.metadata.name})\n`);
  return { kind: 'done' };
}
