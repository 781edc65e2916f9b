import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseNrpeConfig, type NrpeCommand } from './config-parse.js';

/** Where a node's NRPE configuration lives (`nrpe.conf_file`, `nrpe.conf_dir`). */
export interface NrpeSources {
  /** nrpe.cfg; its include and include_dir lines are followed. null = none. */
  confFile: string | null;
  /** A directory whose `*.cfg` files (recursively) are read as well. null = none. */
  confDir: string | null;
}

/** Everything the agent needs from the NRPE configuration. */
export interface NrpeConfig {
  /** Commands by name; a later definition of a name replaces an earlier one, as in NRPE. */
  commands: ReadonlyMap<string, NrpeCommand>;
  /** `dont_blame_nrpe=1` seen last: callers may pass `$ARGn$` arguments. */
  dontBlameNrpe: boolean;
  /** `command_timeout` in seconds, when set. */
  commandTimeout: number | undefined;
  /** Files read, in order. */
  files: string[];
  /** Unreadable files and lines that could not be understood. */
  problems: string[];
}

interface LoadState {
  commands: Map<string, NrpeCommand>;
  dontBlameNrpe: boolean;
  commandTimeout: number | undefined;
  files: string[];
  problems: string[];
  /** Real paths already read: include loops and a conf_dir that nrpe.cfg includes are read once. */
  seen: Set<string>;
}

const maxDepth = 16;

function code(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

function reason(err: unknown): string {
  const c = code(err);
  if (c === 'ENOENT') return 'no such file or directory';
  if (c === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

async function readConfigFile(state: LoadState, file: string, depth: number): Promise<void> {
  let real: string;
  let text: string;
  try {
    real = await realpath(file);
    if (state.seen.has(real)) return;
    state.seen.add(real);
    text = await readFile(real, 'utf8');
  } catch (err) {
    state.problems.push(`cannot read ${file}: ${reason(err)}`);
    return;
  }
  state.files.push(file);
  const parsed = parseNrpeConfig(text, file);
  state.problems.push(...parsed.problems);
  for (const entry of parsed.entries) {
    switch (entry.kind) {
      case 'command':
        state.commands.set(entry.command.name, entry.command);
        break;
      case 'dont_blame_nrpe':
        state.dontBlameNrpe = entry.allowed;
        break;
      case 'command_timeout':
        state.commandTimeout = entry.seconds;
        break;
      case 'include':
      case 'include_dir': {
        if (depth >= maxDepth) {
          state.problems.push(`${file}: ${entry.kind}=${entry.path} not followed: includes nested more than ${maxDepth} deep`);
          break;
        }
        // NRPE resolves against its working directory; the including file's directory is what an operator means.
        const target = resolve(dirname(file), entry.path);
        if (entry.kind === 'include') await readConfigFile(state, target, depth + 1);
        else await readConfigDir(state, target, depth + 1, `${file}: include_dir=${entry.path}`);
        break;
      }
    }
  }
}

/** Every `*.cfg` file under `dir`, recursively, in name order (NRPE's include_dir). */
async function readConfigDir(state: LoadState, dir: string, depth: number, from: string): Promise<void> {
  let names: string[];
  try {
    const real = await realpath(dir);
    if (state.seen.has(real)) return;
    state.seen.add(real);
    names = (await readdir(real)).sort();
  } catch (err) {
    state.problems.push(`${from}: cannot read directory ${dir}: ${reason(err)}`);
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch {
      continue; // a dangling link, or removed meanwhile
    }
    if (isDir) {
      if (depth < maxDepth) await readConfigDir(state, path, depth + 1, from);
    } else if (name.endsWith('.cfg')) {
      await readConfigFile(state, path, depth);
    }
  }
}

/**
 * Read the NRPE configuration: `confFile` with its includes, then the `*.cfg`
 * files of `confDir` not read already. A missing `confFile` or `confDir` is
 * not a problem (the activation check insists on one of them); unreadable
 * includes and bad lines are reported in `problems`. Never throws.
 */
export async function loadNrpeConfig(sources: NrpeSources): Promise<NrpeConfig> {
  const state: LoadState = { commands: new Map(), dontBlameNrpe: false, commandTimeout: undefined, files: [], problems: [], seen: new Set() };
  if (sources.confFile !== null && (await kind(sources.confFile)) === 'file') await readConfigFile(state, sources.confFile, 0);
  if (sources.confDir !== null && (await kind(sources.confDir)) === 'dir') await readConfigDir(state, sources.confDir, 0, 'nrpe.conf_dir');
  return { commands: state.commands, dontBlameNrpe: state.dontBlameNrpe, commandTimeout: state.commandTimeout, files: state.files, problems: state.problems };
}

async function kind(path: string): Promise<'file' | 'dir' | 'none'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}

/**
 * Why there is no NRPE configuration to serve, or undefined when `confFile`
 * is a file or `confDir` a directory.
 */
export async function missingNrpeConfig(sources: NrpeSources): Promise<string | undefined> {
  if (sources.confFile !== null && (await kind(sources.confFile)) === 'file') return undefined;
  if (sources.confDir !== null && (await kind(sources.confDir)) === 'dir') return undefined;
  const file = sources.confFile === null ? 'nrpe.conf_file is null' : `${sources.confFile} is not a file`;
  const dir = sources.confDir === null ? 'nrpe.conf_dir is null' : `${sources.confDir} is not a directory`;
  return `no NRPE configuration: ${file} and ${dir}; install NRPE's configuration or set nrpe.conf_file / nrpe.conf_dir in the cohortd config`;
}
