/**
 * Turning an NRPE command line into something to execute, without a shell
 * wherever arguments are involved.
 *
 * The line is read with POSIX shell quoting rules (words split on blanks,
 * '...' and "..." quotes, backslash escapes). `$ARGn$` macros (n = 1..16) are
 * replaced by the caller's arguments as DATA: a macro inside quotes becomes
 * part of one argv element; an unquoted macro is split on blanks into several
 * elements, as NRPE's shell would split it (so `check_load $ARG1$` with
 * `-w 5 -c 10` still works), but nothing in an argument is ever interpreted:
 * no `;`, `|`, `$(...)`, globs or redirections. The plugin is then executed
 * directly (execve), not through /bin/sh.
 *
 * A line that needs a real shell (pipes, redirections, `&&`, variables,
 * globs, backticks, `~`) is run as `/bin/sh -c LINE` only when it has no
 * `$ARGn$` macros, so the shell only ever sees text from the NRPE
 * configuration. A line that needs a shell AND takes arguments is refused.
 */

/** Piece of a parsed command line. */
export type Token = { kind: 'text'; text: string } | { kind: 'macro'; index: number; quoted: boolean } | { kind: 'break' };

export interface ParsedCommandLine {
  tokens: Token[];
  /** The first shell feature found (e.g. `'|' (pipe)`), undefined when the line is plain words. */
  shellFeature: string | undefined;
  /** How many `$ARGn$` macros the line holds. */
  macros: number;
  /** Why the line cannot be read at all (unterminated quote), if so. */
  error: string | undefined;
}

/** How to run a command line. */
export type CommandPlan =
  | { kind: 'exec'; argv: string[] }
  | { kind: 'shell'; argv: ['/bin/sh', '-c', string]; feature: string }
  | { kind: 'refused'; reason: string };

/** NRPE supports $ARG1$ .. $ARG16$. */
export const maxArguments = 16;

const macro = /^\$ARG([1-9]|1[0-6])\$/;

const features: Readonly<Record<string, string>> = {
  '|': "'|' (pipe)",
  '&': "'&' (background or &&)",
  ';': "';' (command list)",
  '<': "'<' (redirection)",
  '>': "'>' (redirection)",
  '(': "'(' (subshell)",
  ')': "')' (subshell)",
  '`': '` (command substitution)',
  $: "'$' (variable or command substitution)",
  '*': "'*' (glob)",
  '?': "'?' (glob)",
  '[': "'[' (glob)",
  '\n': 'a newline',
};

/** Read a command line into tokens, noting shell features and macros. Pure. */
export function parseCommandLine(line: string): ParsedCommandLine {
  const tokens: Token[] = [];
  let shellFeature: string | undefined;
  let macros = 0;
  let inWord = false;
  const note = (f: string): void => void (shellFeature ??= f);
  const text = (t: string): void => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'text') last.text += t;
    else tokens.push({ kind: 'text', text: t });
    inWord = true;
  };
  const tryMacro = (at: number, quoted: boolean): number => {
    const m = macro.exec(line.slice(at));
    if (!m) return 0;
    tokens.push({ kind: 'macro', index: Number(m[1]), quoted });
    macros++;
    inWord = true;
    return m[0].length;
  };
  let i = 0;
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === ' ' || c === '\t') {
      if (inWord) tokens.push({ kind: 'break' });
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) return { tokens, shellFeature, macros, error: `unterminated single quote at character ${i + 1}` };
      text('');
      for (let j = i + 1; j < end; ) {
        const n = tryMacro(j, true);
        if (n > 0) j += n;
        else text(line.charAt(j++));
      }
      i = end + 1;
    } else if (c === '"') {
      text('');
      let j = i + 1;
      for (;;) {
        if (j >= line.length) return { tokens, shellFeature, macros, error: `unterminated double quote at character ${i + 1}` };
        const d = line.charAt(j);
        if (d === '"') break;
        if (d === '\\' && j + 1 < line.length && '$`"\\'.includes(line.charAt(j + 1))) {
          text(line.charAt(j + 1));
          j += 2;
          continue;
        }
        const n = d === '$' ? tryMacro(j, true) : 0;
        if (n > 0) {
          j += n;
          continue;
        }
        if (d === '$' || d === '`') note(features[d] ?? d);
        text(d);
        j++;
      }
      i = j + 1;
    } else if (c === '\\') {
      text(i + 1 < line.length ? line.charAt(i + 1) : '\\');
      i += 2;
    } else {
      const n = c === '$' ? tryMacro(i, false) : 0;
      if (n > 0) {
        i += n;
        continue;
      }
      const feature = features[c];
      if (feature !== undefined) note(feature);
      else if (!inWord && c === '~') note("'~' (home directory expansion)");
      else if (!inWord && c === '#') note("'#' (comment)");
      text(c);
      i++;
    }
  }
  return { tokens, shellFeature, macros, error: undefined };
}

/**
 * Build argv from tokens with `args[n-1]` for `$ARGn$` (missing ones are
 * empty). Quoted macros stay inside their word; unquoted ones are split on
 * blanks. Pure.
 */
export function expandTokens(tokens: readonly Token[], args: readonly string[]): string[] {
  const argv: string[] = [];
  let word: string | undefined;
  for (const t of tokens) {
    if (t.kind === 'break') {
      if (word !== undefined) argv.push(word);
      word = undefined;
    } else if (t.kind === 'text') {
      word = (word ?? '') + t.text;
    } else {
      const value = args[t.index - 1] ?? '';
      if (t.quoted) {
        word = (word ?? '') + value;
        continue;
      }
      value.split(/[ \t\n]+/).forEach((field, n) => {
        if (n > 0 && word !== undefined) {
          argv.push(word);
          word = undefined;
        }
        if (field !== '') word = (word ?? '') + field;
      });
    }
  }
  if (word !== undefined) argv.push(word);
  return argv;
}

/**
 * Decide how to run `line` with `args` (already split on `!`): exec it
 * directly (the normal case), run it through /bin/sh when it needs a shell
 * and takes no arguments, or refuse it with a reason.
 */
export function planCommand(line: string, args: readonly string[]): CommandPlan {
  const parsed = parseCommandLine(line);
  if (parsed.error !== undefined) return { kind: 'refused', reason: `its command line cannot be read: ${parsed.error}` };
  if (parsed.shellFeature !== undefined) {
    if (parsed.macros > 0) {
      return {
        kind: 'refused',
        reason:
          `its command line needs a shell (it uses ${parsed.shellFeature}) and takes $ARGn$ arguments, ` +
          'and arguments are never passed through a shell; move the shell part into a script and call that with the arguments',
      };
    }
    return { kind: 'shell', argv: ['/bin/sh', '-c', line], feature: parsed.shellFeature };
  }
  const argv = expandTokens(parsed.tokens, args);
  if (argv.length === 0 || argv[0] === '') return { kind: 'refused', reason: 'its command line names no program once the arguments are filled in' };
  return { kind: 'exec', argv };
}
