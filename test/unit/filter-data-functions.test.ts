import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataFunctions, emptyFilter, matchFilter, type Facts } from '@cohort/core';

const dir = mkdtempSync(join(tmpdir(), 'cohort-filter-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'hosts');
const content = 'line one\nline two\n';
writeFileSync(file, content);
chmodSync(file, 0o640);
utimesSync(file, 1_700_000_000, 1_700_000_000);
const sub = join(dir, 'sub');
mkdirSync(sub);
const link = join(dir, 'link');
symlinkSync(file, link);

let facts: Facts = { os: { family: 'Debian' }, cpus: 4, empty: null };
const data = createDataFunctions(() => facts);

function select(expr: string): boolean {
  const filter = emptyFilter();
  filter.compound.push(expr);
  return matchFilter(filter, { identity: 'n1', facts: {}, classes: [], agents: [], data });
}

test('fstat of a regular file', () => {
  const md5 = createHash('md5').update(content).digest('hex');
  assert.deepEqual(data('fstat', file), { present: true, type: 'file', size: content.length, mode: '640', mtime: 1_700_000_000, md5 });
});

test('fstat of a missing path and a path through a file', () => {
  assert.deepEqual(data('fstat', join(dir, 'nope')), { present: false });
  assert.deepEqual(data('fstat', join(file, 'below')), { present: false });
});

test('fstat of a directory and a symlink (not followed)', () => {
  const d = data('fstat', sub);
  assert.equal(d?.['type'], 'directory');
  assert.equal(d?.['md5'], undefined, 'no md5 for directories');
  assert.equal(data('fstat', link)?.['type'], 'symlink');
});

test('fstat md5 follows content changes', () => {
  const f = join(dir, 'changing');
  writeFileSync(f, 'one');
  const first = data('fstat', f)?.['md5'];
  writeFileSync(f, 'two!');
  const second = data('fstat', f)?.['md5'];
  assert.equal(first, createHash('md5').update('one').digest('hex'));
  assert.equal(second, createHash('md5').update('two!').digest('hex'));
});

test('fstat in compound filters', () => {
  assert.equal(select(`fstat('${file}').present=true`), true);
  assert.equal(select(`fstat('${file}').present`), true);
  assert.equal(select(`fstat('${join(dir, 'nope')}').present=false`), true);
  assert.equal(select(`fstat('${join(dir, 'nope')}').present`), false);
  assert.equal(select(`fstat('${join(dir, 'nope')}').size>=0`), false, 'missing fields never match');
  assert.equal(select(`fstat('${file}').size=${content.length}`), true);
  assert.equal(select(`fstat('${file}').size>100`), false);
  assert.equal(select(`fstat('${file}').mode=640`), true);
  assert.equal(select(`fstat('${file}').mode=0640`), true);
  assert.equal(select(`fstat('${file}').mtime<1700000001 and fstat('${file}').mtime>1699999999`), true);
  assert.equal(select(`fstat('${file}').type=file and fstat('${sub}').type=directory`), true);
  const md5 = createHash('md5').update(content).digest('hex');
  assert.equal(select(`fstat('${file}').md5=/^${md5.slice(0, 8)}/`), true);
  assert.equal(select(`fstat('${file}').md5=${md5.toUpperCase()}`), true);
  assert.equal(select(`fstat("${file}").md5!=${md5}`), false);
});

test('fact data function: exists and value', () => {
  assert.deepEqual(data('fact', 'os.family'), { exists: true, value: 'Debian' });
  assert.deepEqual(data('fact', 'cpus'), { exists: true, value: 4 });
  assert.deepEqual(data('fact', 'empty'), { exists: true, value: null });
  assert.deepEqual(data('fact', 'os.nope'), { exists: false });
});

test('fact data function reads the current facts', () => {
  assert.equal(select("fact('cpus')>2"), true);
  facts = { cpus: 1 };
  assert.equal(select("fact('cpus')>2"), false);
  facts = { os: { family: 'Debian' }, cpus: 4, empty: null };
});

test('fact() in compound filters', () => {
  assert.equal(select("fact('os.family')=debian"), true);
  assert.equal(select("fact('cpus').value>=4"), true);
  assert.equal(select("fact('cpus')>four"), false, 'a number result needs a numeric right side');
  assert.equal(select("fact('empty')=null"), false, 'null never matches');
  assert.equal(select("fact('empty').exists"), true);
  assert.equal(select("fact('os.nope').exists=false"), true);
});

test('unknown data function names yield undefined', () => {
  assert.equal(data('agent', 'rpcutil'), undefined);
});
