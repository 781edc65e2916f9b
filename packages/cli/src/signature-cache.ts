import { SignatureFile, signatureFilePath } from '@cohort/core';
import { atFinish } from './finish.js';
import type { CliIo } from './io.js';

/**
 * The CLI's file of signatures that verified (core's SignatureFile):
 * `$XDG_CACHE_HOME/cohort/verified-signatures` (~/.cache/cohort/...), beside
 * the code cache and under the same rule (a directory only this user can
 * write). A run that reads the registry, mined values or check states skips
 * the Ed25519 checks of the node certificates and records it verified in an
 * earlier run; every trust decision is still made. COHORT_SIGNATURE_CACHE=off
 * turns it off. One per file and process, saved as the run finishes (finish.ts).
 */
const open = new Map<string, SignatureFile>();

/** The run's signatures file (opened once), or undefined when there is none. */
export function signatureCache(io: CliIo): SignatureFile | undefined {
  const file = signatureFilePath(io.env, io.homedir);
  if (file === undefined) return undefined;
  let f = open.get(file);
  if (f === undefined) {
    if (open.size === 0) atFinish(saveSignatureCaches);
    f = SignatureFile.open(file);
    open.set(file, f);
  }
  return f;
}

/** Write what this run verified for the next one (never throws), and forget the open files; one line per file on what it saved. */
export function saveSignatureCaches(): string[] {
  const said = [...open.values()].map((f) => {
    f.save();
    return `signatures: ${f.hits} verified in an earlier run, ${f.added} new, in ${f.file}`;
  });
  open.clear();
  return said;
}
