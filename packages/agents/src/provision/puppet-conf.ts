const sectionLine = /^\s*\[([^\]]+)\]\s*$/;
const settingLine = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

/** Puppet's default master port: not written to puppet.conf. */
export const defaultMasterPort = 8140;

/** Where `[main]` starts and ends (end exclusive); undefined when there is no such section. */
function mainSection(lines: readonly string[]): { start: number; end: number } | undefined {
  const start = lines.findIndex((l) => sectionLine.exec(l)?.[1]?.trim() === 'main');
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !sectionLine.test(lines[end] ?? '')) end++;
  return { start, end };
}

/** Read a `[main]` setting of puppet.conf text; undefined when unset. */
export function mainSetting(text: string, key: string): string | undefined {
  const lines = text.split('\n');
  const main = mainSection(lines);
  if (!main) return undefined;
  let value: string | undefined;
  for (const line of lines.slice(main.start + 1, main.end)) {
    const m = settingLine.exec(line);
    if (m?.[1] === key) value = m[2];
  }
  return value;
}

function setIn(lines: string[], key: string, value: string | undefined): void {
  let main = mainSection(lines);
  if (!main) {
    if (value === undefined) return;
    lines.unshift('[main]');
    main = { start: 0, end: 1 };
  }
  const body = lines.slice(main.start + 1, main.end);
  const kept = body.filter((line) => settingLine.exec(line)?.[1] !== key);
  // Insert after the last setting of [main], keeping trailing blank lines before the next section.
  let at = kept.length;
  while (at > 0 && (kept[at - 1] ?? '').trim() === '') at--;
  if (value !== undefined) kept.splice(at, 0, `${key} = ${value}`);
  lines.splice(main.start + 1, main.end - main.start - 1, ...kept);
}

/**
 * puppet.conf text with `server = <host>` in `[main]` (the section is created
 * when missing), and `masterport = <port>` when the port is not 8140 (an old
 * masterport is removed when it is). Comments and other settings are kept.
 */
export function setPuppetServer(text: string, host: string, port: number): { text: string; changed: boolean } {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  setIn(lines, 'server', host);
  setIn(lines, 'masterport', port === defaultMasterPort ? undefined : String(port));
  const next = `${lines.join('\n')}\n`;
  return { text: next, changed: next !== text };
}
