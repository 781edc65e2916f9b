import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EOL } from 'node:os';
import { dirname } from 'node:path';

/**
 * The `file` log destination: winston's File transport, which rotates the
 * file by size. winston is required here, when a log file is opened, and
 * never by a process logging to stderr: loading it costs ~1.1 MB of resident
 * memory (docs/performance.md, "Idle RSS"), which every idle cohortd on
 * stderr would pay for nothing. The lines are made by log.ts (the same bytes
 * as on stderr); the transport only appends them, rotates and keeps
 * `maxFiles` files.
 */

export interface FileDestinationOptions {
  /** Rotate when the file reaches this many bytes; 0: never (an external logrotate with copytruncate). */
  maxSize: number;
  /** Files kept, the live one included (at least 2): `cohortd.log`, `cohortd1.log` (newest archive), ... */
  maxFiles: number;
}

/** A line sink writing to the file; `close()` resolves once every line written so far is in the file. */
export interface FileDestination {
  write(line: string): void;
  close(): Promise<void>;
}

/** The part of winston's File transport used here. */
interface FileTransport {
  write(info: object): boolean;
  end(callback: () => void): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}
type WinstonFile = new (options: Record<string, unknown>) => FileTransport;

// triple-beam's MESSAGE: the finished line a transport writes (a global symbol, so winston need not be loaded to name it).
const MESSAGE = Symbol.for('message');

/**
 * Open `file` for appending (its directory created), through winston's File
 * transport. Throws now when the file cannot be opened: winston opens it
 * asynchronously and would drop the lines of a file it cannot open.
 */
export function openFileDestination(file: string, { maxSize, maxFiles }: FileDestinationOptions): FileDestination {
  mkdirSync(dirname(file), { recursive: true });
  closeSync(openSync(file, 'a'));
  // The class winston.transports.File returns, required alone: all of winston (its Logger, formats, other transports) would cost ~0.6 MB more.
  const File = createRequire(import.meta.url)('winston/lib/winston/transports/file.js') as WinstonFile;
  // tailable: the live file keeps its name (tail -f, log shippers) and archives shift up one on each rotation.
  // No zippedArchive: gzip inside the daemon races the rotation in winston; compressing is logrotate's job.
  const transport = new File({
    filename: file,
    eol: EOL,
    // At least 2: a tailable transport without maxFiles never finishes its first rotation (and logs nothing more).
    ...(maxSize > 0 ? { maxsize: maxSize, maxFiles: Math.max(2, maxFiles), tailable: true } : {}),
  });
  // What winston reports as an error (a failed stat when it reopens the file after a rotation, a line logged after close): on stderr; the daemon runs on.
  // (A failed write to the open file winston only passes to its debug output.)
  transport.on('error', (err) => void process.stderr.write(`log file ${file}: ${err.message}${EOL}`));
  let closed: Promise<void> | undefined;
  return {
    write: (line) => void transport.write({ [MESSAGE]: line }),
    close: () => (closed ??= new Promise<void>((resolve) => transport.end(resolve))),
  };
}
