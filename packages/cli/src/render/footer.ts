import type { AggregateSummary } from '@cohort/client';
import type { RpcStats } from '@cohort/client';
import { colour, columns, ms } from './text.js';

/**
 * Per summary: `Summary of <display_as>:`, a blank line, the aggregator's
 * lines, a blank line; a one-value summary (average, sum) is its own line
 * (`Average of Length: 17`), with no heading above it. Summaries with nothing
 * to show are left out.
 */
export function renderSummaries(summaries: readonly AggregateSummary[]): string[] {
  return summaries
    .filter((s) => s.text.length > 0)
    .flatMap((s) => (s.kind === 'value' ? [...s.text, ''] : [`Summary of ${s.display_as}:`, '', ...s.text, '']));
}

/**
 * `Finished processing R / D hosts in N ms` (green when all replied OK,
 * yellow when some failed or did not reply, red when none replied; colour only
 * when `colour`), then the no-response and unexpected-response lists in
 * columns, and with `verbose` a statistics block.
 */
export function renderFooter(stats: RpcStats, options: { colour?: boolean; width?: number; verbose?: boolean } = {}): string[] {
  const width = options.width ?? 80;
  const tone = stats.responded === 0 ? 'red' : stats.responded < stats.discovered || stats.failed > 0 ? 'yellow' : 'green';
  const lines = [colour(`Finished processing ${stats.responded} / ${stats.discovered} hosts in ${ms(stats.total_ms)} ms`, tone, options.colour ?? false)];
  if (stats.no_response.length > 0) lines.push('', 'No response from:', '', ...columns(stats.no_response, width));
  if (stats.unexpected.length > 0) lines.push('', 'Unexpected response from:', '', ...columns(stats.unexpected, width));
  if (stats.unverified && stats.unverified.length > 0) {
    lines.push('', 'Unverified replies (not counted):', '', ...stats.unverified.map((u) => `   ${u.sender}: ${u.reason}`));
  }
  if (options.verbose) lines.push('', ...renderStats(stats));
  return lines;
}

/** The `-v` statistics block. */
export function renderStats(stats: RpcStats): string[] {
  const rows: Array<[string, string]> = [
    ['Request ID', stats.requestid],
    ['Nodes', `${stats.responded} / ${stats.discovered}`],
    ['Pass / Fail', `${stats.ok} / ${stats.failed}`],
    ['No Responses', String(stats.no_response.length)],
    ['Unexpected', String(stats.unexpected.length)],
    ...(stats.unverified ? [['Unverified', String(stats.unverified.length)] as [string, string]] : []),
    ['Discovery Time', `${ms(stats.discovery_ms)} ms`],
    ['Publish Time', `${ms(stats.publish_ms)} ms`],
    ['Agent Time', `${ms(stats.agent_ms)} ms`],
    ['Total Time', `${ms(stats.total_ms)} ms`],
  ];
  const pad = Math.max(...rows.map(([k]) => k.length)) + 2;
  return ['---- rpc stats ----', ...rows.map(([k, v]) => `${k.padStart(pad)}: ${v}`)];
}
