import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNrpeConfig } from '../../packages/agents/src/nrpe/config-parse.ts';
import { loadNrpeConfig, missingNrpeConfig } from '../../packages/agents/src/nrpe/config-load.ts';

test('parse: commands, includes and settings in file order; comments, blanks and other keys ignored', () => {
  const parsed = parseNrpeConfig(
    [
      '# comment',
      '',
      'server_port=5666',
      'allowed_hosts=127.0.0.1,::1',
      'command[check_load]=/usr/lib/nagios/plugins/check_load -w 15,10,5 -c 30,25,20',
      '  command[check_x] = /bin/x --opt=a=b  ',
      'include=extra.cfg',
      'include_dir=/etc/nagios/nrpe.d/',
      'dont_blame_nrpe=1',
      'command_timeout=42',
    ].join('\n'),
    '/etc/nagios/nrpe.cfg',
  );
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.entries, [
    { kind: 'command', command: { name: 'check_load', cmdline: '/usr/lib/nagios/plugins/check_load -w 15,10,5 -c 30,25,20', file: '/etc/nagios/nrpe.cfg', line: 5 } },
    { kind: 'command', command: { name: 'check_x', cmdline: '/bin/x --opt=a=b', file: '/etc/nagios/nrpe.cfg', line: 6 } },
    { kind: 'include', path: 'extra.cfg' },
    { kind: 'include_dir', path: '/etc/nagios/nrpe.d/' },
    { kind: 'dont_blame_nrpe', allowed: true },
    { kind: 'command_timeout', seconds: 42 },
  ]);
});

test('parse: bad lines are reported with file and line, and skipped', () => {
  const parsed = parseNrpeConfig('command[bad name]=/bin/true\ncommand[empty]=\njust words\ncommand_timeout=soon\ncommand[ok]=/bin/true\n', 'f.cfg');
  assert.deepEqual(parsed.entries.map((e) => e.kind), ['command']);
  assert.equal(parsed.problems.length, 4);
  assert.match(parsed.problems[0] ?? '', /^f\.cfg:1: command name 'bad name'/);
  assert.match(parsed.problems[1] ?? '', /^f\.cfg:2: command\[empty\] has an empty command line/);
  assert.match(parsed.problems[2] ?? '', /^f\.cfg:3: expected key=value/);
  assert.match(parsed.problems[3] ?? '', /^f\.cfg:4: command_timeout must be a positive number/);
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-nrpe-unit-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('load: include (relative to the including file), include_dir recursively (*.cfg only), conf_dir; later definitions win', async () => {
  const dir = tree({
    'nrpe.cfg': 'command[a]=/bin/a1\ninclude=sub/extra.cfg\ninclude_dir=inc\ncommand_timeout=9\ncommand[b]=/bin/b-last\n',
    'sub/extra.cfg': 'command[b]=/bin/b1\ndont_blame_nrpe=1\n',
    'inc/one.cfg': 'command[c]=/bin/c\n',
    'inc/deep/two.cfg': 'command[d]=/bin/d\n',
    'inc/notes.txt': 'command[e]=/bin/e\n',
    'nrpe.d/z.cfg': 'command[a]=/bin/a-from-dir\n',
  });
  try {
    const config = await loadNrpeConfig({ confFile: join(dir, 'nrpe.cfg'), confDir: join(dir, 'nrpe.d') });
    assert.deepEqual(Object.fromEntries([...config.commands].map(([k, v]) => [k, v.cmdline])), {
      a: '/bin/a-from-dir',
      b: '/bin/b-last',
      c: '/bin/c',
      d: '/bin/d',
    });
    assert.equal(config.dontBlameNrpe, true);
    assert.equal(config.commandTimeout, 9);
    assert.deepEqual(config.problems, []);
    assert.equal(config.files.length, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('load: include loops are read once; a missing include is a problem, the rest still loads', async () => {
  const dir = tree({ 'nrpe.cfg': 'include=other.cfg\ninclude=missing.cfg\ncommand[a]=/bin/a\n', 'other.cfg': 'include=nrpe.cfg\ncommand[b]=/bin/b\n' });
  try {
    const config = await loadNrpeConfig({ confFile: join(dir, 'nrpe.cfg'), confDir: null });
    assert.deepEqual([...config.commands.keys()].sort(), ['a', 'b']);
    assert.equal(config.problems.length, 1);
    assert.match(config.problems[0] ?? '', /cannot read .*missing\.cfg: no such file or directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('load: conf_dir already included by nrpe.cfg is read once', async () => {
  const dir = tree({ 'nrpe.cfg': 'include_dir=nrpe.d\n', 'nrpe.d/a.cfg': 'command[a]=/bin/a\n' });
  symlinkSync(join(dir, 'nrpe.d'), join(dir, 'link.d'));
  try {
    const config = await loadNrpeConfig({ confFile: join(dir, 'nrpe.cfg'), confDir: join(dir, 'link.d') });
    assert.equal(config.files.length, 2);
    assert.deepEqual([...config.commands.keys()], ['a']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('missingNrpeConfig: a reason naming both places when neither exists, else undefined', async () => {
  const dir = tree({ 'nrpe.cfg': '' });
  try {
    assert.equal(await missingNrpeConfig({ confFile: join(dir, 'nrpe.cfg'), confDir: null }), undefined);
    assert.equal(await missingNrpeConfig({ confFile: join(dir, 'nope.cfg'), confDir: dir }), undefined);
    const reason = await missingNrpeConfig({ confFile: join(dir, 'nope.cfg'), confDir: join(dir, 'nope.d') });
    assert.match(reason ?? '', /no NRPE configuration: .*nope\.cfg is not a file and .*nope\.d is not a directory; .*nrpe\.conf_file/);
    assert.match((await missingNrpeConfig({ confFile: null, confDir: null })) ?? '', /nrpe\.conf_file is null and nrpe\.conf_dir is null/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
