import type { Summary } from './types.ts';

/**
 * The DDL aggregate summaries (the server computes them with the client
 * library's aggregators) as something to render: a heading and rows of
 * text. nrpe's `nagios_states` rows carry their state for colouring.
 */

export interface SummaryRow {
  label: string;
  value: string;
  /** A Nagios state (OK/WARNING/CRITICAL/UNKNOWN) when the row is one, for its colour. */
  state?: 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
}

export interface SummaryView {
  title: string;
  rows: SummaryRow[];
  /** Preformatted lines when the summary has no counts or value. */
  lines: string[];
}

const nagiosStates = new Set(['OK', 'WARNING', 'CRITICAL', 'UNKNOWN']);

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function summaryView(s: Summary): SummaryView {
  const name = str(s.display_as) || str(s.output) || str(s.function) || 'result';
  const title = `Summary of ${name}`;
  const nagios = s.function === 'nagios_states';
  const rows: SummaryRow[] = [];
  if (Array.isArray(s.counts)) {
    for (const pair of s.counts) {
      if (!Array.isArray(pair)) continue;
      const label = str(pair[0]);
      const row: SummaryRow = { label, value: str(pair[1]) };
      if (nagios && nagiosStates.has(label)) row.state = label as SummaryRow['state'];
      rows.push(row);
    }
  } else if (typeof s.value === 'number' && !Array.isArray(s.text)) {
    rows.push({ label: name, value: String(s.value) });
  }
  const lines = rows.length === 0 && Array.isArray(s.text) ? s.text.map(str) : [];
  return { title, rows, lines };
}

/** The summaries of a job or `done` event, ignoring anything that is not an object. */
export function summaryViews(list: unknown): SummaryView[] {
  return Array.isArray(list) ? list.filter((s): s is Summary => typeof s === 'object' && s !== null).map(summaryView) : [];
}
