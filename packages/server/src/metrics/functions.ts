/**
 * The node's functions for expressions (checks and detectors): grep() reads
 * files, but only inside the allowed directories (security.fstat_paths; never
 * /proc, /sys or /dev) and only their first 1 MiB; fact() reads the node's
 * facts; metric() reads a collector metric by its full name.
 */
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { compileRegex, type DataFunction, type HostFunction, type Value } from '@cohort/core';
import type { MetricSnapshot } from '../check-kinds/types.js';

/** Most bytes of a file grep() looks at. */
export const maxGrepBytes = 1024 * 1024;

const never = ['/proc', '/sys', '/dev'];

function inside(path: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => {
    const d = dir.length > 1 && dir.endsWith(sep) ? dir.slice(0, -1) : dir;
    return path === d || path.startsWith(d === sep ? sep : d + sep);
  });
}

export interface NodeFunctionsOptions {
  /** Directories grep() may read in (security.fstat_paths). */
  readonly allow: readonly string[];
  /** The node's data functions (NodeState.data): fact lookups. */
  readonly data?: DataFunction;
  readonly metrics?: () => MetricSnapshot;
}

/** grep(pattern, file): does the RE2 pattern (case-insensitive) occur in the file's first 1 MiB? A missing file is false. */
export function grepFunction(allowDirs: readonly string[]): HostFunction {
  const allow = allowDirs.map((d) => resolve(d));
  const allowed = (p: string) => inside(p, allow) && !inside(p, never);
  return async (args) => {
    const [pattern, file] = args;
    if (args.length !== 2 || typeof pattern !== 'string' || typeof file !== 'string') throw new Error('takes a pattern and a file path (two strings)');
    if (!isAbsolute(file)) throw new Error(`'${file}' is not an absolute path`);
    const re = compileRegex(pattern);
    if (typeof re === 'string') throw new Error(`bad regular expression '${pattern}': ${re}`);
    const outside = () => new Error(`'${file}' is outside the directories it may read (security.fstat_paths: ${allow.join(', ')})`);
    if (!allowed(resolve(file))) throw outside();
    let real: string;
    try {
      real = await realpath(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
      throw new Error(`cannot read '${file}': ${(err as Error).message}`);
    }
    if (!allowed(real)) throw outside();
    const handle = await open(real, 'r').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read '${file}': ${err.code ?? err.message}`);
    });
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error(`'${file}' is not a regular file`);
      const buf = Buffer.alloc(Math.min(maxGrepBytes, stat.size));
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      return re.test(buf.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await handle.close();
    }
  };
}

/** The functions an expression on this node can call besides the built-in ones. */
export function nodeFunctions(options: NodeFunctionsOptions): Record<string, HostFunction> {
  const fns: Record<string, HostFunction> = { grep: grepFunction(options.allow) };
  const data = options.data;
  if (data) {
    // fact('os.family'): the value, or null when the node has no such fact.
    fns['fact'] = (args) => {
      if (args.length !== 1 || typeof args[0] !== 'string') throw new Error('takes one fact name (a string)');
      const r = data('fact', args[0]);
      return r?.['exists'] === true ? toValue(r['value']) : null;
    };
  }
  const metrics = options.metrics;
  if (metrics) {
    // metric('disk./var.used_pct'): a metric by its full name, null when not collected.
    fns['metric'] = (args) => {
      if (args.length !== 1 || typeof args[0] !== 'string') throw new Error('takes one metric name (a string)');
      return metrics().get(args[0]) ?? null;
    };
  }
  return fns;
}

/** A fact as a language value: scalars and lists as they are, objects as their JSON text. */
function toValue(v: unknown): Value {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toValue);
  return v === undefined ? null : JSON.stringify(v);
}
