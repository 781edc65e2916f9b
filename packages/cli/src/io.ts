import { homedir } from 'node:os';
import type { Bus } from '@cohort/client';
import { terminalSafe } from './terminal-safe.js';

/**
 * Everything the CLI touches outside itself, passed in (so commands can be run
 * in-process by tests with captured output).
 */
export interface OutputStream {
  write(text: string): void;
  /** True when attached to a terminal. */
  readonly isTTY: boolean;
  /** Terminal width, when known. */
  readonly columns: number | undefined;
  /** The underlying Node stream (for the spinner); absent in tests. */
  readonly stream?: NodeJS.WriteStream;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Read all of standard input (for `--nodes -`). */
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** Open the bus instead of connecting to NATS (tests, embedding); absent = real NATS. */
  connect?: (servers: readonly string[]) => Promise<Bus>;
}

function wrap(stream: NodeJS.WriteStream): OutputStream {
  // A closed pipe (`cohort find | head -1`) is not an error worth a stack trace.
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  return {
    // Nothing from another machine reaches the terminal raw (terminal-safe.ts).
    write: (text) => void stream.write(terminalSafe(text)),
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.isTTY ? stream.columns : undefined;
    },
    stream,
  };
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: wrap(process.stdout),
    stderr: wrap(process.stderr),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    homedir: homedir(),
  };
}

/** An in-memory CliIo for tests: output is collected in `out` and `err`. */
export function memoryIo(
  options: { stdin?: string; env?: NodeJS.ProcessEnv; tty?: boolean; columns?: number; connect?: CliIo['connect'] } = {},
): CliIo & { out(): string; err(): string } {
  let out = '';
  let err = '';
  const tty = options.tty ?? false;
  return {
    stdout: { write: (t) => void (out += t), isTTY: tty, columns: options.columns },
    stderr: { write: (t) => void (err += t), isTTY: tty, columns: options.columns },
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
    homedir: '/nonexistent-home',
    ...(options.connect ? { connect: options.connect } : {}),
    out: () => out,
    err: () => err,
  };
}
