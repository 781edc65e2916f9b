// The DEBIAN/control file of a binary package, built from a plain object.
// Pure (no I/O), so test/unit/package-control.test.ts checks its rules.

/** Debian package names: lower case letters, digits, + - . ; at least two characters, starting alphanumeric. */
const packageName = /^[a-z0-9][a-z0-9+.-]+$/;
/** Debian versions: [epoch:]upstream[-revision]; upstream starts with a digit. */
const debianVersion = /^(?:\d+:)?\d[A-Za-z0-9.+~-]*$/;

/** The minimum Node.js the bundles need (package.json "engines"; docs/packaging.md says why). */
export const nodejsDepends = 'nodejs (>= 20.19)';

/**
 * A Debian version from an npm one: 0.1.0 stays, a pre-release 0.2.0-rc.1
 * becomes 0.2.0~rc.1 (sorts before 0.2.0, as in npm). Throws, naming the
 * value, when the result is not a Debian version.
 */
export function debianVersionOf(version) {
  const v = String(version).replace(/^v/, '').replace(/^(\d+\.\d+\.\d+)-/, '$1~');
  if (!debianVersion.test(v) || v.includes('-')) throw new Error(`version ${JSON.stringify(version)} is not usable as a Debian package version (digits, letters and . + ~ only, starting with a digit; e.g. 0.1.0 or 0.1.0+build2)`);
  return v;
}

/** Fold a long description into control-file continuation lines (" text", " ." for an empty line). */
function foldDescription(text) {
  return text
    .trim()
    .split('\n')
    .map((line) => (line.trim() === '' ? ' .' : ` ${line.trimEnd()}`))
    .join('\n');
}

/**
 * The control file text. `fields`: package, version, summary, description
 * (paragraphs), depends (array), installedSize (KiB), and optional section,
 * priority, maintainer, homepage. Throws naming the field that is wrong.
 */
export function controlFile(fields) {
  const { package: name, version, summary, description, depends = [], installedSize } = fields;
  if (!packageName.test(name ?? '')) throw new Error(`package name ${JSON.stringify(name)} is not a Debian package name (lower case letters, digits, + - .)`);
  if (!debianVersion.test(version ?? '')) throw new Error(`version ${JSON.stringify(version)} is not a Debian version`);
  if (typeof summary !== 'string' || summary === '' || summary.includes('\n') || summary.length > 80) throw new Error(`summary of ${name} must be one line of at most 80 characters`);
  if (!Number.isInteger(installedSize) || installedSize < 0) throw new Error(`installedSize of ${name} must be a whole number of KiB`);
  for (const d of depends) if (/[\n,]/.test(d) || d.trim() === '') throw new Error(`dependency ${JSON.stringify(d)} of ${name}: one dependency per entry (alternatives with |)`);
  const lines = [
    `Package: ${name}`,
    `Version: ${version}`,
    'Architecture: all',
    `Maintainer: ${fields.maintainer ?? 'Cohort maintainers <cohort@localhost>'}`,
    `Installed-Size: ${installedSize}`,
    ...(depends.length > 0 ? [`Depends: ${depends.join(', ')}`] : []),
    `Section: ${fields.section ?? 'admin'}`,
    `Priority: ${fields.priority ?? 'optional'}`,
    ...(fields.homepage ? [`Homepage: ${fields.homepage}`] : []),
    `Description: ${summary}`,
    ...(description ? [foldDescription(description)] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** DEBIAN/conffiles: one absolute path per line, each under /etc. */
export function conffilesFile(paths) {
  for (const p of paths) if (!p.startsWith('/etc/')) throw new Error(`conffile ${p} is not under /etc`);
  return paths.map((p) => `${p}\n`).join('');
}
