// The sh launchers come from one template (scripts/launchers.mjs): the
// committed ones in packages/*/bin are what it makes, each is what package.json
// "bin" installs, and the template's variables and words are quoted for sh.
// What the launchers do when run: deferred-extra-ca.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { launcher, shellWord, workspaceLauncher, workspaceLaunchers } from '../../scripts/launchers.mjs';
import { repoRoot } from '../harness/fleet.js';

for (const path of Object.keys(workspaceLaunchers)) {
  test(`${path} is what scripts/launchers.mjs makes (node scripts/launchers.mjs rewrites it), executable, and package.json installs it`, () => {
    assert.equal(readFileSync(join(repoRoot, path), 'utf8'), workspaceLauncher(path));
    assert.equal(statSync(join(repoRoot, path)).mode & 0o111, 0o111);
    const pkg = JSON.parse(readFileSync(join(repoRoot, dirname(dirname(path)), 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.equal(pkg.bin[workspaceLaunchers[path]!.name], `./bin/${basename(path)}`);
    assert.ok(statSync(join(repoRoot, dirname(path), workspaceLaunchers[path]!.program)).isFile(), 'the program beside it');
  });
}

test('the check mode of scripts/launchers.mjs passes on this tree', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/launchers.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
});

test('paths and variables are quoted for sh; a variable set by the caller wins', () => {
  assert.equal(shellWord('/usr/share/cohort/lib/bin/cohortd.cjs'), '/usr/share/cohort/lib/bin/cohortd.cjs');
  assert.equal(shellWord("/opt/it's here"), "'/opt/it'\\''s here'");
  const dir = mkdtempSync(join(tmpdir(), 'launcher-'));
  const program = join(dir, "a 'b' $c.js");
  writeFileSync(program, '');
  const text = launcher({ name: 'x', program, installedBy: 'by a test', node: '/bin/echo', env: { MALLOC_TRIM_THRESHOLD_: '65536', ODD: 'a"$b}' } });
  const script = join(dir, 'launcher');
  writeFileSync(script, `${text.replace('exec /bin/echo', 'echo "$MALLOC_TRIM_THRESHOLD_|$ODD"; exec /bin/echo')}`);
  const run = (env: Record<string, string>) => spawnSync('/bin/sh', [script, 'arg 1'], { env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' }).stdout;
  assert.equal(run({}), `65536|a"$b}\n${program} arg 1\n`);
  assert.equal(run({ MALLOC_TRIM_THRESHOLD_: '131072' }), `131072|a"$b}\n${program} arg 1\n`);
  assert.throws(() => launcher({ name: 'x', program, installedBy: '', env: { 'A-B': '1' } }), /not a variable name/);
});
