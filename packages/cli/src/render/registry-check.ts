import { isStale, recordAgeMs, staleAfterMs } from '@cohort/client';
import type { IgnoredRecord, RegisteredNode } from '@cohort/client';
import { NagiosState, stateName, type NagiosCode } from '@cohort/core';

/** Thresholds and expectations of `cohort registry check`. */
export interface RegistryCheckOptions {
  /** Records older than this are stale; default: each node's heartbeat interval + 30 s. */
  staleAfterMs?: number;
  /** Identities that must be registered (--nodes FILE); absent ones are missing. */
  expected?: readonly string[];
  /** WARNING from this many stale + missing nodes (undefined: no WARNING state). */
  warning?: number;
  /** CRITICAL from this many stale + missing nodes. */
  critical: number;
  /** Registry entries ignored (not signed by a trusted key of the node they claim, unsigned deletes): at least WARNING. */
  ignored?: readonly IgnoredRecord[];
  /** False when records were read without trusted node keys (said in the output). */
  verified?: boolean;
}

/** A stale node: registered, but it missed its heartbeat. */
export interface StaleNode {
  identity: string;
  ageMs: number;
  /** Its heartbeat interval in seconds. */
  interval: number;
  thresholdMs: number;
}

/** What the check found. */
export interface RegistryCheckResult {
  state: NagiosCode;
  /** Nodes in scope (registered and selected, plus expected ones that are registered). */
  total: number;
  current: string[];
  stale: StaleNode[];
  /** Expected but not registered at all (dead past the registry's max age, or never started). */
  missing: string[];
  /** Entries that did not verify, with reasons. */
  ignored: IgnoredRecord[];
  /** Whether records were verified against trusted node keys. */
  verified: boolean;
}

const byIdentity = (a: { identity: string }, b: { identity: string }): number => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0);

/**
 * Grade the registry like MCollective's registration monitor: a node whose
 * record was not refreshed within its interval (+30 s, or --stale) is stale,
 * an expected node without a record is missing; CRITICAL when stale + missing
 * reaches `critical`, WARNING when it reaches `warning`, else OK. An empty
 * scope with nothing expected is UNKNOWN (nothing to judge). Pure.
 */
export function evaluateRegistry(selected: readonly RegisteredNode[], all: readonly RegisteredNode[], now: number, options: RegistryCheckOptions): RegistryCheckResult {
  const registered = new Map(all.map((n) => [n.identity, n]));
  const scope = new Map(selected.map((n) => [n.identity, n]));
  const missing: string[] = [];
  for (const id of options.expected ?? []) {
    const node = registered.get(id);
    if (node) scope.set(id, node);
    else missing.push(id);
  }
  const stale: StaleNode[] = [];
  const current: string[] = [];
  for (const node of scope.values()) {
    if (isStale(node, now, options.staleAfterMs)) {
      stale.push({ identity: node.identity, ageMs: recordAgeMs(node, now), interval: node.record.interval, thresholdMs: staleAfterMs(node, options.staleAfterMs) });
    } else {
      current.push(node.identity);
    }
  }
  stale.sort(byIdentity);
  current.sort();
  missing.sort();
  const bad = stale.length + missing.length;
  let state: NagiosCode = NagiosState.OK;
  if (scope.size === 0 && missing.length === 0) state = NagiosState.UNKNOWN;
  else if (bad >= options.critical) state = NagiosState.CRITICAL;
  else if (options.warning !== undefined && bad >= options.warning) state = NagiosState.WARNING;
  const ignored = [...(options.ignored ?? [])];
  // Someone wrote records the nodes did not sign: worth a look even when every node is current.
  if (ignored.length > 0 && state === NagiosState.OK) state = NagiosState.WARNING;
  return { state, total: scope.size + missing.length, current, stale, missing, ignored, verified: options.verified ?? true };
}

const seconds = (ms: number): number => Math.round(ms / 1000);

/**
 * Plugin output: `REGISTRY <STATE>: ...|totalhosts=N oldhosts=S currenthosts=C missinghosts=M checktime=Xs`
 * (MCollective's perfdata names), then one line per stale and missing node.
 */
export function formatRegistryCheck(result: RegistryCheckResult, bucket: string, elapsedMs: number): string {
  const { total, current, stale, missing, ignored } = result;
  const summary =
    (total === 0
      ? `no node is registered in ${bucket}`
      : `${current.length} of ${total} node(s) current, ${stale.length} stale, ${missing.length} missing`) +
    (ignored.length > 0 ? `, ${ignored.length} record(s) ignored` : '') +
    (result.verified ? '' : ' (records not verified: no trusted node keys)');
  const perf = `totalhosts=${total} oldhosts=${stale.length} currenthosts=${current.length} missinghosts=${missing.length} ignoredrecords=${ignored.length} checktime=${(elapsedMs / 1000).toFixed(3)}s`;
  const lines = [`REGISTRY ${stateName(result.state)}: ${summary}|${perf}`];
  for (const s of stale) lines.push(`STALE: ${s.identity}: last registered ${seconds(s.ageMs)} s ago (heartbeat every ${s.interval} s, stale after ${seconds(s.thresholdMs)} s)`);
  for (const id of missing) lines.push(`MISSING: ${id}: not in the registry`);
  for (const i of ignored) lines.push(`IGNORED: ${i.identity}: ${i.reason}`);
  return `${lines.join('\n')}\n`;
}

/** The one-line output for a check that could not run. */
export function unknownRegistryCheck(reason: string): string {
  return `REGISTRY UNKNOWN: ${reason.replace(/\|/g, '/').split('\n')[0] ?? ''}\n`;
}
