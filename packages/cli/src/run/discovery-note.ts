import type { DiscoveryDecision } from '@cohort/client';
import type { Session } from '../session.js';

/** With -v, say on stderr which discovery ran and why (e.g. the fstat fallback); otherwise nothing. */
export function discoveryNote(session: Session): ((decision: DiscoveryDecision) => void) | undefined {
  if (!session.verbose) return undefined;
  return (decision) => session.io.stderr.write(`${decision.note}\n`);
}
