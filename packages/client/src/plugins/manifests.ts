import { errorMessage, openData, pluginManifestProblem, PluginKind, verifyData, type PluginManifest, type TrustStore } from '@cohort/core';

/** A stored manifest as a reader sees it: verified (with its signer), or refused with the reason. */
export type ReadManifest =
  | { readonly name: string; readonly verified: true; readonly manifest: PluginManifest; readonly signer: string; readonly time: number }
  | { readonly name: string; readonly verified: false; readonly reason: string; readonly claimed: { signer: string; version: string } };

/** Verify one stored manifest against trusted callers (the same check every node makes, without actionpolicy). */
export function readManifest(name: string, bytes: Uint8Array, trust: TrustStore, now = Date.now()): ReadManifest {
  let opened: ReturnType<typeof openData>;
  try {
    opened = openData(bytes);
  } catch (err) {
    return { name, verified: false, reason: `malformed manifest: ${errorMessage(err)}`, claimed: { signer: 'unknown', version: '' } };
  }
  const value = opened.body.value as { release?: { version?: unknown } | null } | undefined;
  const claimedVersion = typeof value?.release?.version === 'string' ? value.release.version : '';
  const v = verifyData<PluginManifest>(opened, trust, { kind: PluginKind.Manifest, now, check: pluginManifestProblem });
  if (typeof v === 'string') return { name, verified: false, reason: v, claimed: { signer: opened.body.subject, version: claimedVersion } };
  if (v.value.name !== name) return { name, verified: false, reason: `stored under '${name}' but names itself '${v.value.name}'`, claimed: { signer: v.subject, version: claimedVersion } };
  return { name, verified: true, manifest: v.value, signer: v.subject, time: v.time };
}

/** The newest manifest of `name` that verifies (history newest first), if any. */
export function newestVerified(name: string, history: readonly Uint8Array[], trust: TrustStore, now = Date.now()): Extract<ReadManifest, { verified: true }> | undefined {
  for (const bytes of history) {
    const r = readManifest(name, bytes, trust, now);
    if (r.verified) return r;
  }
  return undefined;
}
