import { bool, list, str, type Args } from '../args.js';
import { createDdlSource, requireAction } from '@cohort/client';
import { sessionConfig } from '../config-flags.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { renderPluginDoc } from '../render/plugin-doc.js';

/** `cohort plugin doc AGENT [ACTION]`: documentation from the DDL (no connection needed). */
export async function runPluginDoc(argv: Args, io: CliIo): Promise<Outcome> {
  const config = sessionConfig(argv, io);
  const source = createDdlSource([...list(argv, 'ddl-dir'), ...config.ddlDirs]);
  const ddl = source.get(str(argv, 'agent') ?? '');
  const actionName = str(argv, 'action');
  const action = actionName === undefined ? undefined : requireAction(ddl, actionName);
  if (bool(argv, 'json')) io.stdout.write(stringifyJson(action ?? ddl, io.stdout.isTTY));
  else io.stdout.write(`${renderPluginDoc(ddl, action).join('\n')}\n`);
  return { kind: 'done' };
}
