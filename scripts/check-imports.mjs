#!/usr/bin/env node
// The package rules of docs/architecture.md, checked on the source:
//  1. a package imports another only through its entry points (the
//     package.json "exports"), never another package's src/ or dist/ files;
//  2. a package imports only the Cohort packages it may (the table below) and
//     lists them in its package.json dependencies;
//  3. `nats` is imported only by the package's bus module (src/bus.ts and the
//     files under src/bus/); core, which stays free of NATS, has only its
//     `@cohort/core/nats-auth` subpath (src/nats-auth.ts).
// Usage: node scripts/check-imports.mjs [repo-root]. Exit 1 listing every violation.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Who may import whom (package directory → Cohort packages it may import). */
export const allowedImports = {
  core: [],
  agents: ['core'],
  client: ['core', 'agents'],
  server: ['core', 'agents'],
  provisioner: ['core', 'client'],
  nagios: ['core', 'client'],
  handlers: ['core', 'client', 'provisioner'],
  dns: ['core', 'client'],
  web: ['core', 'client'],
  cli: ['core', 'agents', 'client', 'provisioner', 'handlers', 'nagios', 'dns', 'web'],
};

/** Files (relative to the package) allowed to import `nats`. */
function isBusModule(pkg, file) {
  if (pkg === 'core') return file === 'src/nats-auth.ts';
  return file === 'src/bus.ts' || file.startsWith('src/bus/');
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(p).isDirectory() ? walk(p) : /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every module specifier a file imports or re-exports (static and dynamic), with its line. */
export function importsOf(source) {
  // Comments (e.g. usage examples in doc comments) are blanked, keeping line numbers.
  const text = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/^\s*\/\/.*$/gm, '');
  const out = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    out.push({ spec, line: text.slice(0, m.index + m[0].search(/import|export/)).split('\n').length });
  }
  return out;
}

/** Check the packages under `root`/packages; returns the violations as "file:line: message". */
export function checkImports(root) {
  const problems = [];
  const pkgsDir = join(root, 'packages');
  const packages = readdirSync(pkgsDir).filter((d) => existsSync(join(pkgsDir, d, 'package.json')));
  const manifest = Object.fromEntries(packages.map((d) => [d, JSON.parse(readFileSync(join(pkgsDir, d, 'package.json'), 'utf8'))]));
  const dirOfName = Object.fromEntries(packages.map((d) => [manifest[d].name, d]));
  for (const pkg of packages) {
    const m = manifest[pkg];
    const deps = { ...m.dependencies, ...m.devDependencies };
    if (!(pkg in allowedImports)) problems.push(`packages/${pkg}/package.json: package '${pkg}' is not in the import table of scripts/check-imports.mjs (add it, and to docs/architecture.md)`);
    const allowed = allowedImports[pkg] ?? [];
    const pkgRoot = join(pkgsDir, pkg);
    for (const abs of [...walk(join(pkgRoot, 'src')), ...walk(join(pkgRoot, 'bin')), ...walk(join(pkgRoot, 'scripts'))]) {
      const file = relative(pkgRoot, abs).split(sep).join('/');
      const where = (line) => `packages/${pkg}/${file}:${line}`;
      for (const { spec, line } of importsOf(readFileSync(abs, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(abs), spec);
          const rel = relative(pkgRoot, target);
          if (rel.startsWith('..')) {
            const other = relative(pkgsDir, target).split(sep)[0];
            if (target.startsWith(pkgsDir + sep)) problems.push(`${where(line)}: '${spec}' reaches into another package's files; import '${manifest[other]?.name ?? other}' (its entry point) instead`);
            else if (!file.startsWith('scripts/')) problems.push(`${where(line)}: '${spec}' is outside the package (only build scripts may use the repository's scripts/)`);
          }
          continue;
        }
        if (spec === 'nats' || spec.startsWith('nats/')) {
          if (!isBusModule(pkg, file)) problems.push(`${where(line)}: imports 'nats' outside the package's bus module (src/bus.ts, src/bus/); take NATS access from the bus`);
          continue;
        }
        const scoped = /^(@cohort\/[^/]+)(\/.*)?$/.exec(spec);
        if (!scoped) continue;
        const [, name, sub] = scoped;
        const target = dirOfName[name];
        if (!target) {
          problems.push(`${where(line)}: '${spec}' is not a package of this repository`);
          continue;
        }
        if (target === pkg) {
          problems.push(`${where(line)}: '${spec}' imports its own package by name; use a relative import`);
          continue;
        }
        if (!allowed.includes(target)) problems.push(`${where(line)}: ${m.name} may not import ${name} (allowed: ${allowed.map((a) => manifest[a]?.name ?? a).join(', ') || 'no other Cohort package'}; see docs/architecture.md)`);
        if (!(name in deps)) problems.push(`${where(line)}: imports ${name}, which is not a dependency in packages/${pkg}/package.json`);
        const exported = Object.keys(manifest[target].exports ?? { '.': true });
        if (!exported.includes(sub ? `.${sub}` : '.')) problems.push(`${where(line)}: '${spec}' is not an entry point of ${name} (its exports: ${exported.map((e) => (e === '.' ? name : `${name}${e.slice(1)}`)).join(', ')})`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const problems = checkImports(root);
  if (problems.length > 0) {
    process.stderr.write(`check-imports: ${problems.length} import(s) break the package rules (docs/architecture.md):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write('check-imports: every package imports others only through their entry points; nats only in bus modules\n');
}
