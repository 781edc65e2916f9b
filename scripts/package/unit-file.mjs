// Reading a systemd unit file: sections of Key=Value lines, keys repeatable.
// Used by the packaging test to start cohortd exactly as the installed unit
// says, and by the unit test that checks the unit's rules. Pure.

/** Parse `text` into { Section: { Key: [values...] } } (comments, blank lines and continuation lines handled). */
export function parseUnit(text) {
  const sections = {};
  let current;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = sections[header[1]] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !current) throw new Error(`unit line ${i + 1}: not "Key=Value" inside a [Section]: ${line}`);
    const key = line.slice(0, eq).trim();
    (current[key] ??= []).push(line.slice(eq + 1).trim());
  }
  return sections;
}

/** The last value of `key` in `section` (systemd: a later assignment wins), or undefined. */
export function unitValue(unit, section, key) {
  return unit[section]?.[key]?.at(-1);
}

/**
 * Split a command line the way systemd does for ExecStart= (whitespace,
 * double and single quotes, backslash escapes). A leading "-", "@", "+",
 * "!" or ":" prefix is dropped. Specifiers (%) and $VARIABLES are not
 * expanded: the result says so by throwing, rather than running something else.
 */
export function splitExec(value) {
  const text = value.replace(/^[-@+!:]+/, '');
  if (/[%$]/.test(text)) throw new Error(`ExecStart ${JSON.stringify(value)} uses specifiers or variables; expand them before running`);
  const words = [];
  let word = '';
  let quote;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (quote) throw new Error(`ExecStart ${JSON.stringify(value)}: unterminated quote`);
  if (started) words.push(word);
  return words;
}

/** Environment= values as a map (each value holds one or more VAR=value words). */
export function unitEnvironment(unit, section = 'Service') {
  const env = {};
  for (const value of unit[section]?.Environment ?? []) {
    for (const word of splitExec(value)) {
      const eq = word.indexOf('=');
      if (eq <= 0) throw new Error(`Environment=${value}: "${word}" is not VAR=value`);
      env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return env;
}
