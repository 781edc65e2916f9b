// The datasource program cohort-mine-cat (a POSIX sh script) on mirror files
// written by mirrorFile: output byte for byte, exit codes and stderr reasons
// (missing, failed, stale by its interval or by --max-age, bad usage), the
// seconds-since-boot header fields (judged with no `date` on PATH; with the
// boot id `-` of a tmpfs mirror, no boot id read), the wall-clock fallback for
// files from another boot or an older mirror, cat started with LC_ALL=C, and
// the same answers when the script is sourced by Checkmk's shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MineValue } from '@cohort/core';
import { mine } from '@cohort/client';
import { repoRoot } from '../harness/fleet.js';

const catBin = join(repoRoot, 'packages/cli/bin/cohort-mine-cat');
const dir = mkdtempSync(join(tmpdir(), 'mine-cat-'));
// A PATH holding cat and nothing else: the script must judge ages without `date`.
const onlyCat = mkdtempSync(join(tmpdir(), 'mine-cat-path-'));
const catPath = spawnSync('/bin/sh', ['-c', 'command -v cat'], { encoding: 'utf8' }).stdout.trim();
symlinkSync(catPath, join(onlyCat, 'cat'));
const boot = mine.readBootClock();

const output = '<<<check_mk>>>\nVersion: 2.2.0p1\n<<<df>>>\n/dev/sda1 100 50 50 50% /\nno newline at the end';
const value = (ageS: number, extra: Partial<MineValue> = {}): MineValue => ({
  function: 'check_mk',
  identity: 'h',
  time: Date.now() - ageS * 1000,
  interval: 60,
  duration_ms: 3,
  statuscode: 0,
  statusmsg: 'OK',
  source: 'config',
  output,
  ...extra,
});
/** A mirror file for `host`: the value `ageS` old, stale twice its interval (60 s) after its time. */
const put = (host: string, ageS: number, b: mine.BootClock | undefined = boot, extra: Partial<MineValue> = {}): void => {
  const v = value(ageS, extra);
  writeFileSync(join(dir, host), mine.mirrorFile(v, v.statuscode !== 0 ? 'failed' : 'fresh', v.time + 120_000, b));
};
const cat = (args: string[], path = process.env['PATH']) => spawnSync(catBin, ['--dir', dir, ...args], { encoding: 'utf8', env: { ...process.env, PATH: path } });

test('a fresh value: the output byte for byte, exit 0, nothing on stderr', () => {
  put('fresh', 10);
  for (const args of [['fresh'], ['--max-age', '3m', 'fresh'], ['--max-age=30', 'fresh']]) {
    const r = cat(args);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, output);
    assert.equal(r.stderr, '');
  }
});

test('missing, failed, not a mirror file, bad usage: non-zero with the reason', () => {
  const missing = cat(['nosuch']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no mined value for nosuch in /);
  put('failed', 5, boot, { statuscode: 5, statusmsg: 'check_mk_agent: exit 1', output: undefined });
  const failed = cat(['failed']);
  assert.equal(failed.status, 1);
  assert.equal(failed.stdout, '');
  assert.match(failed.stderr, /the mined value of failed failed \(status 5, \d+s ago\): check_mk_agent: exit 1/);
  writeFileSync(join(dir, 'notours'), 'hello\n');
  assert.match(cat(['notours']).stderr, /is not a cohort mine file \(header 'hello'\)/);
  assert.equal(cat(['notours']).status, 2);
  for (const bad of ['5x', '3m5', 'm', '1.5m', '']) {
    const r = cat(['--max-age', bad, 'fresh']);
    assert.equal(r.status, 2, `--max-age '${bad}'`);
    assert.match(r.stderr, new RegExp(`--max-age '${bad.replace('.', '\\.')}' must be seconds or a number with s, m, h or d`));
  }
  assert.match(cat(['../etc']).stderr, /'..\/etc' is not a node identity/);
  assert.match(cat(['--bogus', 'h']).stderr, /unknown option --bogus/);
});

test('stale: older than twice its interval (the mirror not running to mark it), or than --max-age', () => {
  put('old', 150);
  const r = cat(['old']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /the mined value of old is stale: 1[45]\ds old, older than twice its interval/);
  // --max-age replaces the interval's limit, both ways.
  assert.equal(cat(['--max-age', '5m', 'old']).status, 0);
  put('ninety', 90);
  const tooOld = cat(['--max-age', '1m', 'ninety']);
  assert.equal(tooOld.status, 1);
  assert.match(tooOld.stderr, /the mined value of ninety is stale: (89|9\d)s old, older than --max-age 60s/);
  assert.equal(cat(['--max-age', '2m', 'ninety']).status, 0);
  assert.equal(cat(['ninety']).status, 0, 'within twice the interval');
  // Marked stale by the mirror: stale whatever the times say.
  const v = value(1);
  writeFileSync(join(dir, 'marked'), mine.mirrorFile(v, 'stale', v.time + 120_000, boot));
  assert.equal(cat(['marked']).status, 1);
});

test('files with the seconds-since-boot fields are judged without starting date', { skip: boot === undefined ? 'no /proc/uptime here (not Linux): the script uses date' : false }, () => {
  put('fresh', 10);
  put('old', 150);
  put('ninety', 90);
  const noDate = onlyCat;
  assert.equal(cat(['fresh'], noDate).stdout, output);
  assert.equal(cat(['fresh'], noDate).status, 0);
  assert.equal(cat(['old'], noDate).status, 1);
  assert.equal(cat(['--max-age', '1m', 'ninety'], noDate).status, 1);
  assert.equal(cat(['--max-age', '100', 'ninety'], noDate).status, 0);
});

test('files from another boot or an older mirror are judged by the wall clock (date)', () => {
  // Another boot whose uptime figures would say fresh: the wall-clock times say stale, and win.
  const otherBoot = { id: '00000000-0000-4000-8000-000000000000', startedMs: Date.now() - 10_000_000_000 };
  put('reboot', 150, otherBoot);
  const r = cat(['reboot']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /is stale: 1[45]\ds old/);
  put('reboot-fresh', 10, otherBoot);
  assert.equal(cat(['reboot-fresh']).status, 0);
  // No boot fields (an older mirror, or no /proc): the same answers.
  put('plain', 150, undefined);
  assert.equal(cat(['plain']).status, 1);
  assert.equal(cat(['--max-age', '5m', 'plain']).status, 0);
  put('plain-fresh', 10, undefined);
  assert.equal(cat(['plain-fresh']).stdout, output);
});

test('the mirror marks files on tmpfs with the boot id "-": judged by uptime, no boot id read, no date', { skip: boot === undefined ? 'no /proc/uptime here (not Linux): the script uses date' : false }, () => {
  const onRam = existsSync('/dev/shm') && readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => / \/dev\/shm tmpfs /.test(l));
  assert.equal(mine.diesWithBoot('/dev/shm'), onRam);
  assert.equal(mine.diesWithBoot(join(dir, 'no-such-dir')), false, 'unknown: not assumed to die with the boot');
  const b = { ...boot!, id: mine.thisBootOnly };
  put('ram-fresh', 10, b);
  put('ram-old', 150, b);
  assert.match(readFileSync(join(dir, 'ram-fresh'), 'utf8'), /^cohort-mine\/1 fresh \d+ \d+ 0 \d+ - -?\d+ \d+\n/);
  assert.equal(cat(['ram-fresh'], onlyCat).stdout, output);
  assert.equal(cat(['ram-fresh'], onlyCat).status, 0);
  const old = cat(['ram-old'], onlyCat);
  assert.equal(old.status, 1);
  assert.match(old.stderr, /the mined value of ram-old is stale: 1[45]\ds old, older than twice its interval/);
  assert.equal(cat(['--max-age', '5m', 'ram-old'], onlyCat).status, 0);
});

test('cat runs with LC_ALL=C (no locale files loaded per read)', () => {
  put('fresh', 10);
  const fakeCat = mkdtempSync(join(tmpdir(), 'mine-cat-fake-'));
  writeFileSync(join(fakeCat, 'cat'), '#!/bin/sh\nprintf "LC_ALL=%s" "$LC_ALL"\n', { mode: 0o755 });
  const r = spawnSync(catBin, ['--dir', dir, 'fresh'], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PATH: `${fakeCat}:${process.env['PATH']}` } });
  assert.equal(r.stdout, 'LC_ALL=C');
});

test('sourced into the shell Checkmk starts (set -- ARGS; . cohort-mine-cat): the same output, exit codes and reasons', () => {
  put('fresh', 10);
  put('old', 150);
  put('failed', 5, boot, { statuscode: 5, statusmsg: 'check_mk_agent: exit 1', output: undefined });
  const sourced = (args: string[]) => spawnSync('/bin/sh', ['-c', `set -- --dir "$D" ${args.join(' ')}; . "$S"; echo not reached`], { encoding: 'utf8', env: { ...process.env, D: dir, S: catBin } });
  for (const args of [['fresh'], ['--max-age', '3m', 'fresh'], ['old'], ['--max-age', '5m', 'old'], ['failed'], ['nosuch'], ['--max-age', '3x', 'fresh']]) {
    const s = sourced(args);
    const r = cat(args);
    assert.equal(s.status, r.status, args.join(' '));
    assert.equal(s.stdout, r.stdout, args.join(' '));
    assert.equal(s.stderr.replace(/\d+s (ago|old)/, 'Ns $1'), r.stderr.replace(/\d+s (ago|old)/, 'Ns $1'), args.join(' '));
  }
  assert.equal(sourced(['fresh']).stdout, output);
});
