#!/usr/bin/env node
// The POSIX sh launchers of Cohort's commands, from one template: the
// workspace's (packages/*/bin/cohort, cohortd, cohort-sim, check_cohort_nrpe,
// which package.json "bin" installs, so pnpm's shims run them) and the Debian
// packages' /usr/bin/* (scripts/package/build-deb.mjs).
//
//   node scripts/launchers.mjs           rewrite the workspace's launchers
//   node scripts/launchers.mjs --check   fail if one differs from this template
//
// test/unit/launchers.test.ts fails when a committed launcher is not what
// this file makes, so edit the template here, never a launcher.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `text` as one sh word: as it is when it needs no quoting, else in single quotes. */
export function shellWord(text) {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * A launcher's text.
 * - `name`: the command; `installedBy`: the comment's "Installed as ..." clause.
 * - `program`: the file node runs: a file name beside the launcher (the
 *   workspace: the launcher finds its own directory from $0, following a
 *   symlink such as npm's global links), or an absolute path (the packages).
 * - `node`: the node to exec: `node` from PATH (the workspace), or
 *   /usr/bin/node, the package's dependency.
 * - `shebangFlags`: pass node the flags on the program's shebang line (read
 *   with the shell's `read`, no fork), so they are written in one place and
 *   apply as when the program is executed itself.
 * - `env`: variables exported with these values unless already set.
 */
export function launcher({ name, program, installedBy, node = 'node', shebangFlags = false, env = {} }) {
  const absolute = program.startsWith('/');
  const file = absolute ? shellWord(program) : `"\${self%/*}/${program}"`;
  const lines = [
    '#!/bin/sh',
    `# ${name}: runs ${program} with ${node}. Installed ${installedBy}.`,
    '# Made by scripts/launchers.mjs: change it there.',
    '#',
    '# NODE_EXTRA_CA_CERTS makes node read and parse that file at start, before',
    '# any JavaScript runs (~90 ms and ~2 MB with a system bundle such as',
    '# /etc/ssl/certs/ca-certificates.crt), though most runs open no TLS',
    '# connection. So it is moved to COHORT_NODE_EXTRA_CA_CERTS here; the program',
    '# puts it back first thing and loads the file on its first TLS connection, with',
    '# the same meaning (@cohort/core/deferred-extra-ca, docs/performance.md).',
    absolute ? '# No fork on the way to node.' : '# No fork on the way to node, but for a symlink to this file (readlink).',
    'if [ -n "${NODE_EXTRA_CA_CERTS-}" ]; then',
    '  COHORT_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS',
    '  export COHORT_NODE_EXTRA_CA_CERTS',
    '  unset NODE_EXTRA_CA_CERTS',
    'fi',
  ];
  for (const [key, value] of Object.entries(env)) {
    if (!/^[A-Za-z_]\w*$/.test(key)) throw new Error(`launcher ${name}: ${key} is not a variable name`);
    lines.push(`: "\${${key}=${value.replace(/[\\"$`}]/g, '\\$&')}}"`, `export ${key}`);
  }
  if (!absolute) {
    lines.push(
      'self=$0',
      'case $self in */*) ;; *) self=./$self ;; esac',
      'while [ -h "$self" ]; do',
      '  link=$(readlink "$self") || break',
      '  case $link in /*) self=$link ;; *) self=${self%/*}/$link ;; esac',
      'done',
    );
  }
  if (shebangFlags) {
    lines.push(
      `# The V8 flags are those of the shebang of ${basename(program)} (one place), read without a fork.`,
      `IFS= read -r shebang <${file}`,
      'set -f',
      '# shellcheck disable=SC2086',
      `exec ${shellWord(node)} \${shebang#*node} ${file} "$@"`,
    );
  } else {
    lines.push(`exec ${shellWord(node)} ${file} "$@"`);
  }
  return `${lines.join('\n')}\n`;
}

/** The workspace's launchers: path from the repository root → launcher() options. */
export const workspaceLaunchers = {
  'packages/cli/bin/cohort': { name: 'cohort', program: 'cohort.cjs' },
  'packages/server/bin/cohortd': { name: 'cohortd', program: 'cohortd.cjs', shebangFlags: true },
  'packages/server/bin/cohort-sim': { name: 'cohort-sim', program: 'cohort-sim.js', shebangFlags: true },
  'packages/nagios/bin/check_cohort_nrpe': { name: 'check_cohort_nrpe', program: 'check_cohort_nrpe.js' },
};

/** The text of the workspace launcher at `path` (a key of workspaceLaunchers). */
export function workspaceLauncher(path) {
  const options = workspaceLaunchers[path];
  return launcher({ ...options, installedBy: `as the \`${options.name}\` command (package.json "bin")` });
}

function cli(argv) {
  const check = argv.includes('--check');
  let stale = 0;
  for (const path of Object.keys(workspaceLaunchers)) {
    const file = join(root, path);
    const text = workspaceLauncher(path);
    let now;
    try {
      now = readFileSync(file, 'utf8');
    } catch {
      now = undefined;
    }
    if (now === text) continue;
    if (check) {
      process.stderr.write(`${path} is not what scripts/launchers.mjs makes (run node scripts/launchers.mjs)\n`);
      stale++;
      continue;
    }
    writeFileSync(file, text);
    chmodSync(file, 0o755);
    process.stdout.write(`wrote ${path}\n`);
  }
  return stale > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = cli(process.argv.slice(2));
