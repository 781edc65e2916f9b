import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DdlError, builtinDdlDir, createDdlResolver, ddlSchemaFile, locateDdl, outputDefaults, findAction, loadDdlFile } from '@cohort/core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/ddl');

function withDirs(fn: (a: string, b: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-locate-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  mkdirSync(a);
  mkdirSync(b);
  try {
    fn(a, b);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('builtinDdlDir is the repository ddl/ directory, holding the schema', () => {
  assert.equal(builtinDdlDir(), join(root, 'ddl'));
  assert.equal(ddlSchemaFile(), join(root, 'ddl/schema/agent-ddl-schema-v1.json'));
  assert.ok(existsSync(ddlSchemaFile()));
});

test('locateDdl: first dir wins, .json before .yaml before .yml; unsafe names are not found', () => {
  withDirs((a, b) => {
    assert.equal(locateDdl('greeter', [a, b]), undefined);
    copyFileSync(join(fixtures, 'greeter.yaml'), join(b, 'greeter.yml'));
    assert.equal(locateDdl('greeter', [a, b]), join(b, 'greeter.yml'));
    copyFileSync(join(fixtures, 'greeter.yaml'), join(b, 'greeter.yaml'));
    assert.equal(locateDdl('greeter', [a, b]), join(b, 'greeter.yaml'));
    writeFileSync(join(a, 'greeter.json'), '{}');
    assert.equal(locateDdl('greeter', [a, b]), join(a, 'greeter.json'));
    assert.equal(locateDdl('../a/greeter', [b]), undefined);
    assert.equal(locateDdl('', [a]), undefined);
  });
});

test('createDdlResolver loads once, caches, returns undefined when there is no DDL', () => {
  withDirs((a, b) => {
    copyFileSync(join(fixtures, 'choria/rpcutil.json'), join(b, 'rpcutil.json'));
    const resolve = createDdlResolver([a, b]);
    const ddl = resolve('rpcutil');
    assert.equal(ddl?.metadata.name, 'rpcutil');
    rmSync(join(b, 'rpcutil.json'));
    assert.equal(resolve('rpcutil'), ddl, 'served from the cache');
    assert.equal(resolve('nrpe'), undefined);
  });
});

test('createDdlResolver throws DdlError for a broken or misnamed file, and retries later', () => {
  withDirs((a) => {
    writeFileSync(join(a, 'nrpe.json'), '{ broken');
    const resolve = createDdlResolver([a]);
    assert.throws(() => resolve('nrpe'), (err: unknown) => err instanceof DdlError && /nrpe\.json: invalid JSON/.test(err.message));
    copyFileSync(join(fixtures, 'choria/rpcutil.json'), join(a, 'nrpe.json'));
    assert.throws(() => resolve('nrpe'), /names agent 'rpcutil' but the file is named for 'nrpe'/);
    copyFileSync(join(fixtures, 'choria/nrpe.json'), join(a, 'nrpe.json'));
    assert.equal(resolve('nrpe')?.metadata.name, 'nrpe');
  });
});

test('outputDefaults pre-fills outputs from defaults, null when none, copies objects', () => {
  const run = findAction(loadDdlFile(join(fixtures, 'choria/nrpe.json')), 'runcommand');
  assert.ok(run);
  assert.deepEqual(outputDefaults(run), { output: '', exitcode: 3, perfdata: '', command: '' });
  const all = findAction(loadDdlFile(join(fixtures, 'choria/nrpe.json')), 'runallcommands');
  assert.ok(all);
  assert.deepEqual(outputDefaults(all), { commands: null });
  const withObject = { ...run, output: { list: { description: 'd', display_as: 'L', default: [1] } } };
  const first = outputDefaults(withObject);
  (first['list'] as number[]).push(2);
  assert.deepEqual(outputDefaults(withObject), { list: [1] });
});
