import type { DdlAction, StatusCode } from '@cohort/core';
import { statusLabels } from '@cohort/core';
import type { Reply } from '@cohort/client';
import { colour, formatValue } from './text.js';

/** Which replies the text output shows. `all` = the DDL's `always`. */
export type DisplayMode = 'ok' | 'failed' | 'all' | 'none';
export const displayModes = ['ok', 'failed', 'all', 'always', 'none'] as const;

/** `--display` when given (always = all), else the action's DDL display policy (default failed, as MCollective). */
export function displayMode(flag: string | undefined, action: DdlAction | undefined): DisplayMode {
  const policy = flag ?? action?.display ?? 'failed';
  switch (policy) {
    case 'ok':
    case 'failed':
    case 'none':
      return policy;
    default:
      return 'all';
  }
}

export function shouldShow(mode: DisplayMode, statuscode: number): boolean {
  switch (mode) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'ok':
      return statuscode === 0;
    case 'failed':
      return statuscode !== 0;
  }
}

/**
 * One reply as text: `<sender padded to 40> <status label>`, the statusmsg
 * when it is not "OK", then (when the action ran: status 0, or 1 for values
 * that are set) each output as a right-aligned `display_as: value`, and a
 * blank line.
 */
export function renderReply(reply: Reply, action: DdlAction | undefined, options: { width?: number; colour?: boolean } = {}): string[] {
  const width = options.width ?? 80;
  const label = statusLabels[reply.statuscode as StatusCode] ?? `Status ${reply.statuscode}`;
  const shownLabel = colour(label, reply.statuscode === 0 ? 'green' : 'red', options.colour ?? false);
  const lines = [`${reply.sender.padEnd(40)} ${shownLabel}${reply.unexpected ? ' (unexpected)' : ''}`];
  if (reply.statusmsg && reply.statusmsg !== 'OK') lines.push(`   ${reply.statusmsg}`);
  if (reply.statuscode === 0 || reply.statuscode === 1) {
    const rows = outputRows(reply.data, action, reply.statuscode === 1);
    if (rows.length > 0) {
      // Aligned over every declared output, so replies line up with each other.
      const labels = [...rows.map(([label]) => label), ...Object.values(action?.output ?? {}).map((o) => o.display_as)];
      const pad = Math.max(...labels.map((l) => l.length)) + 3;
      for (const [name, value] of rows) {
        lines.push(`${name.padStart(pad)}: ${formatValue(value, Math.max(20, width - pad - 2), pad + 2)}`);
      }
    }
  }
  lines.push('');
  return lines;
}

/** [display_as, value] for each output: DDL order first, then keys the DDL does not know. */
function outputRows(data: Record<string, unknown>, action: DdlAction | undefined, onlySet: boolean): Array<[string, unknown]> {
  const rows: Array<[string, unknown]> = [];
  const declared = action?.output ?? {};
  for (const [key, out] of Object.entries(declared)) {
    if (!Object.hasOwn(data, key)) continue;
    if (onlySet && (data[key] === null || data[key] === undefined)) continue;
    rows.push([out.display_as || key, data[key]]);
  }
  for (const [key, value] of Object.entries(data)) {
    if (Object.hasOwn(declared, key)) continue;
    if (onlySet && (value === null || value === undefined)) continue;
    rows.push([key, value]);
  }
  return rows;
}
