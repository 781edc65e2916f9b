import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join } from 'node:path';

/**
 * Finding Puppet and the Ruby that runs it, with file system checks only (the
 * activation check runs on every daemon start and must stay cheap).
 */

/** Puppet's all-in-one packages keep their own Ruby here. */
export const aioRuby = '/opt/puppetlabs/puppet/bin/ruby';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A command's path: `name` itself when it contains a slash, else the first executable match on `pathEnv`. */
export function findCommand(name: string, pathEnv: string | undefined): string | undefined {
  if (name.includes('/')) return executable(name) ? name : undefined;
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** The interpreter named on a script's `#!` line (`/usr/bin/ruby`, or `ruby` for `#!/usr/bin/env ruby`). */
export function shebangInterpreter(file: string): string | undefined {
  const buffer = Buffer.alloc(256);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const first = buffer.toString('utf8', 0, length).split('\n', 1)[0] ?? '';
    if (!first.startsWith('#!')) return undefined;
    const words = first.slice(2).trim().split(/\s+/);
    const [program, argument] = words;
    if (program !== undefined && basename(program) === 'env') return argument;
    return program;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** How to start the helper: the Ruby to run and the Puppet command it belongs to. */
export interface PuppetInstall {
  readonly puppet: string;
  readonly ruby: string;
}

/**
 * Locate Puppet and its Ruby: `ruby` when configured, else the interpreter on
 * the puppet command's `#!` line when it is a Ruby, else the all-in-one
 * packages' Ruby. Returns the reason puppetral cannot run when something is
 * missing.
 */
export function locatePuppet(options: { puppet: string; ruby: string | null; pathEnv: string | undefined }): PuppetInstall | string {
  const puppet = findCommand(options.puppet, options.pathEnv);
  if (puppet === undefined) {
    const where = options.puppet.includes('/') ? `${options.puppet} is missing or not executable` : `no '${options.puppet}' command on PATH`;
    return `Puppet is not installed (${where}); install puppet-agent or set puppetral.puppet`;
  }
  if (options.ruby !== null) {
    return executable(options.ruby) ? { puppet, ruby: options.ruby } : `puppetral.ruby ${options.ruby} is missing or not executable`;
  }
  const interpreter = shebangInterpreter(puppet);
  if (interpreter !== undefined && basename(interpreter).startsWith('ruby')) {
    const ruby = findCommand(interpreter, options.pathEnv);
    if (ruby !== undefined) return { puppet, ruby };
  }
  if (executable(aioRuby)) return { puppet, ruby: aioRuby };
  return `cannot tell which Ruby runs ${puppet} (no ruby on its #! line, no ${aioRuby}); set puppetral.ruby`;
}
