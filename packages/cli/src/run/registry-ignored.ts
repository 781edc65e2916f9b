import { unverifiable, type Registry } from '@cohort/client';
import type { CliIo } from '../io.js';

/**
 * Say on stderr when registry records were read unverified (no trusted node
 * keys) or ignored (not signed by the node they claim, unsigned deletes):
 * how many, and with -v each one and why.
 */
export function reportIgnored(registry: Registry, verbose: boolean, io: CliIo): void {
  if (!registry.verified) io.stderr.write(`cohort: note: registry records are shown unverified: ${unverifiable}\n`);
  const ignored = registry.ignored();
  if (ignored.length === 0) return;
  io.stderr.write(`cohort: ${ignored.length} registry record(s) ignored (not signed by a trusted key of the node they name)${verbose ? ':' : '; -v lists them'}\n`);
  if (verbose) for (const i of ignored) io.stderr.write(`  ${i.identity}: ${i.reason}\n`);
}
