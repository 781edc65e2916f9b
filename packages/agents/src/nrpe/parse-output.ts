/**
 * Nagios plugin output, per the plugin API: the first line is
 * `TEXT|PERFDATA`; further lines are long text until a line holding a `|`,
 * after which that line's remainder and every later line are more perfdata.
 */
export interface PluginOutput {
  /** The first line's text (before any `|`), trimmed. */
  text: string;
  /** Long output: the lines after the first, up to the perfdata, trimmed at the end. */
  long: string[];
  /** Every perfdata part, trimmed and joined with single spaces. */
  perfdata: string;
}

/** Split a plugin's standard output into text, long output and perfdata. Pure. */
export function parsePluginOutput(stdout: string): PluginOutput {
  const lines = stdout.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const [first = '', ...rest] = lines;
  const perf: string[] = [];
  const bar = first.indexOf('|');
  const text = (bar === -1 ? first : first.slice(0, bar)).trim();
  if (bar !== -1) perf.push(first.slice(bar + 1));
  const long: string[] = [];
  let inPerf = false;
  for (const line of rest) {
    if (inPerf) {
      perf.push(line);
      continue;
    }
    const at = line.indexOf('|');
    if (at === -1) {
      long.push(line.trimEnd());
      continue;
    }
    long.push(line.slice(0, at).trimEnd());
    perf.push(line.slice(at + 1));
    inPerf = true;
  }
  while (long.length > 0 && long[long.length - 1] === '') long.pop();
  const perfdata = perf.map((p) => p.trim()).filter((p) => p !== '').join(' ');
  return { text, long, perfdata };
}

/** The agent's `output`: the text, then the long output lines. */
export function outputText(parsed: PluginOutput): string {
  return parsed.long.length === 0 ? parsed.text : [parsed.text, ...parsed.long].join('\n');
}
