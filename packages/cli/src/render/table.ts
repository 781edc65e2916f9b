/**
 * `cohort rpc --table`: one row per reply, one column per output (DDL order,
 * display names), aligned for a terminal. When the rows are wider than the
 * screen the widest columns are cut down first (to a common cap, never below
 * a small minimum) and cut cells end with `…`; the columns that fit stay whole.
 */
import type { DdlAction, StatusCode } from '@cohort/core';
import { statusLabels } from '@cohort/core';
import type { Reply } from '@cohort/client';
import { formatValue } from './text.js';

/** Width used when stdout is not a terminal (a pipe or a file). */
export const pipeTableWidth = 120;
/** A column is never cut narrower than this (or its natural width, if smaller). */
export const minColumnWidth = 8;
const gap = '  ';
const ellipsis = '…';

/** One cell's text: single-line, control characters shown as `?` so they cannot move the cursor or break alignment. */
export function cellText(value: unknown): string {
  const text = formatValue(value, Number.MAX_SAFE_INTEGER);
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r?\n/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Cut `text` to `width` characters, ending with … when cut. */
export function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return ellipsis.slice(0, width);
  return `${text.slice(0, width - 1)}${ellipsis}`;
}

/**
 * Column widths that fit `width` with two spaces between columns: natural
 * widths when they fit, else the wide columns share a cap found by lowering
 * it until the row fits (each column keeps at least min(natural, minColumnWidth)).
 * Column 0 (the node) is cut only when the others are at their minimum.
 */
export function columnWidths(natural: readonly number[], width: number): number[] {
  const n = natural.length;
  if (n === 0) return [];
  const available = width - gap.length * (n - 1);
  const sum = (ws: readonly number[]): number => ws.reduce((a, b) => a + b, 0);
  if (sum(natural) <= available) return [...natural];
  const floor = natural.map((w) => Math.min(w, minColumnWidth));
  const first = natural[0] ?? 0;
  const rest = natural.slice(1);
  const capped = (cap: number): number[] => [first, ...rest.map((w, i) => Math.min(w, Math.max(cap, floor[i + 1] ?? 0)))];
  // The largest cap whose row fits: binary search over [0, widest].
  let lo = 0;
  let hi = Math.max(0, ...rest);
  if (sum(capped(0)) > available) {
    // Even at the minimum the others do not fit beside the whole node column: cut it too.
    const others = sum(capped(0)) - first;
    return [Math.max(floor[0] ?? 0, available - others), ...capped(0).slice(1)];
  }
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sum(capped(mid)) <= available) lo = mid;
    else hi = mid - 1;
  }
  // Hand out what is left over to the cut columns, left to right, a character each.
  const widths = capped(lo);
  let spare = available - sum(widths);
  for (let i = 1; i < n && spare > 0; i++) {
    if ((widths[i] ?? 0) < (natural[i] ?? 0)) {
      widths[i] = (widths[i] ?? 0) + 1;
      spare--;
    }
  }
  return widths;
}

/** Lay out a header and rows to `width`: header, a rule, then the rows; no trailing spaces. */
export function layoutTable(header: readonly string[], rows: readonly (readonly string[])[], width: number): string[] {
  const natural = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const widths = columnWidths(natural, width);
  const line = (cells: readonly string[]): string =>
    widths
      .map((w, i) => {
        const cell = truncate(cells[i] ?? '', w);
        return i === widths.length - 1 ? cell : cell.padEnd(w);
      })
      .join(gap)
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/**
 * The reply table: `Node`, `Status`, then each output the DDL declares (in
 * DDL order, under its display name), then any other key some reply carried.
 */
export function renderReplyTable(replies: readonly Reply[], action: DdlAction | undefined, width: number): string[] {
  const declared = Object.entries(action?.output ?? {});
  const keys = declared.map(([key]) => key);
  const seen = new Set(keys);
  for (const r of replies) {
    for (const key of Object.keys(r.data)) {
      if (!seen.has(key)) {
        seen.add(key);
        keys.push(key);
      }
    }
  }
  const header = ['Node', 'Status', ...keys.map((k) => action?.output[k]?.display_as || k)];
  const rows = replies.map((r) => [
    cellText(r.sender) + (r.unexpected ? ' (unexpected)' : ''),
    cellText(statusLabels[r.statuscode as StatusCode] ?? `Status ${r.statuscode}`),
    ...keys.map((k) => cellText(r.data[k])),
  ]);
  return layoutTable(header, rows, width);
}
