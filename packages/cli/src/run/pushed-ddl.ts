import { ddlExtensions, UsageError } from '@cohort/core';
import { createDdlSource, plugins } from '@cohort/client';
import type { Args } from '../args.js';
import type { Session } from '../session.js';
import { manifestTrust } from './plugin-common.js';

/**
 * When no local DDL of `agent` exists (--ddl-dir, ddl_dirs, the bundled
 * ones), look for it in the collective's pushed plugins, verified as plugin
 * sync verifies what it installs (a trusted signer's manifest, a pack
 * matching it), and add it to the session's DDLs. Without one, the usual
 * "no DDL found" error, saying the plugin store was looked at too.
 */
export async function addPushedDdl(argv: Args, session: Session, agent: string): Promise<void> {
  if (session.ddl.has(agent)) return;
  // The usual "no DDL found ... looked in ..." message, extended below.
  const local = `no DDL found for agent '${agent}': looked for ${agent}{${ddlExtensions.join(',')}} in ${session.ddl.dirs.join(', ')} (--ddl-dir DIR, config ddl_dirs)`;
  const bus = await session.openBus();
  let found: Awaited<ReturnType<typeof plugins.pushedDdl>>;
  try {
    const store = bus.plugins ? await bus.plugins(session.collective, false) : { missing: 'no JetStream' };
    if ('missing' in store) throw new UsageError(`${local}; no pushed plugin provides it either (collective ${session.collective}: ${store.missing})`);
    found = await plugins.pushedDdl(store, agent, manifestTrust(argv, session));
  } finally {
    await bus.close();
  }
  if (found === undefined) throw new UsageError(`${local}; no pushed plugin of collective ${session.collective} provides it either`);
  if ('refused' in found) throw new UsageError(`no local DDL for agent '${agent}', and the pushed one was not used: ${found.refused}`);
  session.ddl = createDdlSource(session.ddl.dirs, [found.ddl]);
  if (session.verbose) session.io.stderr.write(`DDL of ${agent} from pushed plugin ${found.plugin} ${found.version} (signed by ${found.signer})\n`);
}
