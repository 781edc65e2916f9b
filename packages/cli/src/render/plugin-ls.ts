import type { plugins } from '@cohort/client';
import { terminalSafe } from '../terminal-safe.js';

function desiredText(row: plugins.PluginFleetRow): string {
  if (row.unverified !== undefined) return `? (manifest by ${row.signer} NOT TRUSTED: ${row.unverified})`;
  if (row.desired === null) return 'removed';
  return `${row.desired ?? '?'}`;
}

/** `cohort plugin ls` as text: a line per plugin, then the nodes that drift or refused (every node with verbose). */
export function renderPluginLs(rows: readonly plugins.PluginFleetRow[], verbose: boolean): string {
  if (rows.length === 0) return 'no pushed plugins (cohort plugin push DIR)\n';
  const lines: string[] = [];
  for (const row of rows) {
    const current = row.nodes.filter((n) => n.running && !n.drift).length;
    const drift = row.nodes.filter((n) => n.drift).length;
    const refused = row.nodes.filter((n) => n.error).length;
    const counts = [`${current} node(s) on it`, ...(drift ? [`${drift} DRIFT`] : []), ...(refused ? [`${refused} REFUSED`] : [])].join(', ');
    const extra = [row.state && row.state !== 'enabled' ? row.state : '', row.rollout ? `batch ${row.rollout.batch}, settle ${row.rollout.settle} s` : '', row.previous.length ? `previous ${row.previous.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    lines.push(terminalSafe(`${row.name}  desired ${desiredText(row)}  signed by ${row.signer}  ${counts}${extra ? `  (${extra})` : ''}`));
    for (const n of row.nodes) {
      if (!verbose && !n.drift && !n.error) continue;
      const running = n.running ? `runs ${n.running.version} (${n.running.state}, ${n.running.digest.slice(0, 12)})` : 'runs nothing';
      const mark = n.drift ? '  DRIFT' : '';
      const error = n.error ? `  REFUSED ${n.error.version || '?'}: ${n.error.reason}` : '';
      lines.push(terminalSafe(`  ${n.identity}  ${running}${mark}${error}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
