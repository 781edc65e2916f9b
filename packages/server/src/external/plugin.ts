import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errorMessage } from '@cohort/core';

/**
 * Extensions of external-agent executables in a plugin directory, besides a
 * file with no extension: `<name>`, `<name>.py`, `<name>.sh`, ... beside
 * `<name>.json`. Other files (README.md, types.ts) are never run.
 */
export const executableExts: ReadonlySet<string> = new Set(['', '.py', '.sh', '.bash', '.pl', '.rb', '.php', '.lua', '.bin']);

/** True for a regular file this process may execute. */
export function isExecutable(file: string): boolean {
  return notExecutableReason(file) === undefined;
}

/** Why `file` cannot be run as an agent (not a file, no execute permission), or undefined. */
export function notExecutableReason(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return 'is not a regular file';
    accessSync(file, constants.X_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES') return `is not executable (chmod +x ${basename(file)}); an external agent is run directly, with no interpreter chosen by the node`;
    return `cannot be run: ${errorMessage(err)}`;
  }
}

/** The optional configuration file of an external agent: `<name>.config.json` beside the executable. */
export function agentConfigFile(executable: string, name: string): string {
  return join(dirname(executable), `${name}.config.json`);
}

/** Read the agent's configuration (an object; {} when there is no file). Throws naming the file when it is not a JSON object. */
export function readAgentConfig(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new Error(`${file}: not JSON (${errorMessage(err)})`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}: must hold a JSON object`);
  return value as Record<string, unknown>;
}
