import type { Evaluation, HostResult } from './evaluate.js';
import { NagiosState, stateName } from '@cohort/core';

/** Nagios 4 keeps at most 8 KiB of plugin output; stay under it. */
export const maxOutputBytes = 8000;
/** Longest plugin output shown per host line. */
const maxHostOutput = 300;

/** One line of plugin output for a host line: first line only, and no `|` (Nagios would read perfdata after it). */
function clean(output: string): string {
  const first = (output.split('\n')[0] ?? '').replace(/\|/g, '/').trim();
  return first.length > maxHostOutput ? `${first.slice(0, maxHostOutput - 3)}...` : first;
}

/** Seconds for perfdata: three decimals. */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/**
 * The plugin output: the summary line with perfdata
 * (`CMD: OK: a WARNING: b CRITICAL: c UNKNOWN: d|total=N ok=a warning=b critical=c unknown=d checktime=Xs`),
 * then one line per CRITICAL, WARNING and UNKNOWN host (in that order, hosts
 * sorted) with its plugin output, then a line for expected nodes that never
 * answered. Cut to fit Nagios' 8 KiB with a line saying how many were left
 * out. Pure.
 */
export function formatCheck(command: string, hosts: readonly HostResult[], evaluation: Evaluation, elapsedMs: number, expect?: number): string {
  const { ok, warning, critical, unknown, total } = evaluation.counts;
  const first =
    `${command}: OK: ${ok} WARNING: ${warning} CRITICAL: ${critical} UNKNOWN: ${unknown}` +
    `|total=${total} ok=${ok} warning=${warning} critical=${critical} unknown=${unknown} checktime=${seconds(elapsedMs)}s`;
  const details: string[] = [];
  for (const state of [NagiosState.CRITICAL, NagiosState.WARNING, NagiosState.UNKNOWN]) {
    const matching = hosts.filter((h) => h.state === state).sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    for (const h of matching) details.push(`${stateName(state)}: ${h.host}: ${clean(h.output)}`);
  }
  if (evaluation.missing > 0) {
    details.push(`UNKNOWN: ${evaluation.missing} more node(s) expected (--expect ${expect ?? '?'}) did not answer`);
  }
  const lines = [first];
  let bytes = Buffer.byteLength(first) + 1;
  for (let i = 0; i < details.length; i++) {
    const line = details[i] ?? '';
    const size = Buffer.byteLength(line) + 1;
    // Room for the final "... more" line.
    if (bytes + size > maxOutputBytes - 60) {
      lines.push(`... and ${details.length - i} more line(s) not shown`);
      break;
    }
    lines.push(line);
    bytes += size;
  }
  return `${lines.join('\n')}\n`;
}

/** A one-line UNKNOWN result (`CMD: UNKNOWN: message`), for when there is nothing to count. */
export function formatUnknown(command: string | undefined, message: string): string {
  const text = message.replace(/\|/g, '/').replace(/\s*\n\s*/g, ' ');
  return `${command ? `${command}: ` : ''}UNKNOWN: ${text}\n`;
}
