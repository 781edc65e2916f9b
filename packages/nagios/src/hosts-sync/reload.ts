import { spawn } from 'node:child_process';

/**
 * The reload command: given as one string on the command line, split into
 * words like a shell would (single and double quotes, backslash escapes) and
 * run without a shell (no expansion, no redirection, no `;`).
 */

export class CommandSyntaxError extends Error {
  readonly code = 'USAGE';
}

/** Split `text` into argv. Throws CommandSyntaxError for an unterminated quote or escape, or no words. */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === '\\') {
      if (i + 1 >= text.length) throw new CommandSyntaxError(`the command ${JSON.stringify(text)} ends with a lone backslash`);
      word += text[++i];
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += ch;
    inWord = true;
  }
  if (quote !== undefined) throw new CommandSyntaxError(`the command ${JSON.stringify(text)} has an unterminated ${quote} quote`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new CommandSyntaxError('the command is empty');
  return words;
}

export interface CommandResult {
  ok: boolean;
  /** What happened, for the log: `exit 0`, `exit 2: <output>`, `killed after 60 s`, `cannot run: ENOENT`. */
  summary: string;
}

const maxOutput = 2000;

/** Run argv (no shell), stdin closed; resolves (never rejects) once it ended or was killed after `timeoutMs`. */
export function runCommand(argv: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer): void => {
      if (output.length < maxOutput) output += d.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, summary: `cannot run ${argv[0]}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = output.trim().slice(0, maxOutput).replace(/\s*\n\s*/g, ' | ');
      if (timedOut) resolve({ ok: false, summary: `killed after ${Math.round(timeoutMs / 1000)} s` });
      else if (code === 0) resolve({ ok: true, summary: 'exit 0' });
      else resolve({ ok: false, summary: `${code === null ? `killed by ${signal}` : `exit ${code}`}${out ? `: ${out}` : ''}` });
    });
  });
}
