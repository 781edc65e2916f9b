import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DdlError, findAction, loadDdlFile, parseDdl, validateInputs } from '@cohort/core';

const fixtures = fileURLToPath(new URL('../fixtures/ddl/', import.meta.url));
const choria = (name: string): string => `${fixtures}choria/${name}.json`;
const broken = (name: string): string => `${fixtures}broken/${name}`;

function ddlError(fn: () => unknown): DdlError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DdlError, `expected DdlError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a DdlError');
}

/** A valid JSON DDL (nrpe) as an object to break in one place. */
function nrpeDoc(): Record<string, any> {
  return JSON.parse(readFileSync(choria('nrpe'), 'utf8'));
}

test('every Choria fixture loads unchanged', () => {
  const expected = { rpcutil: 9, nrpe: 2, choria_provision: 8, scout: 5 } as const;
  for (const [name, actions] of Object.entries(expected)) {
    const ddl = loadDdlFile(choria(name));
    assert.equal(ddl.metadata.name, name);
    assert.equal(ddl.actions.length, actions, name);
  }
});

test('Choria quirks survive loading: default null, outputs without type, aggregate format args', () => {
  const nrpe = loadDdlFile(choria('nrpe'));
  const run = findAction(nrpe, 'runcommand');
  assert.ok(run);
  assert.equal(run.input['command']?.default, null);
  assert.equal(run.output['exitcode']?.type, undefined);
  assert.deepEqual(run.aggregate, [{ function: 'nagios_states', args: ['exitcode'] }]);
  const scout = loadDdlFile(choria('scout'));
  const goss = findAction(scout, 'goss_validate');
  assert.deepEqual(goss?.aggregate?.[0]?.args, ['tests', { format: '%s Tests on %d node(s)' }]);
  assert.equal(findAction(scout, 'nope'), undefined);
});

test('Choria upper-case input names (choria_provision gencsr C, OU) are accepted', () => {
  const gencsr = findAction(loadDdlFile(choria('choria_provision')), 'gencsr');
  assert.deepEqual(Object.keys(gencsr?.input ?? {}).sort(), ['C', 'L', 'O', 'OU', 'ST', 'cn', 'token']);
});

test("fixture regexes work: nrpe command accepts check_load, rejects 'check load' and 'a;b'", () => {
  const run = findAction(loadDdlFile(choria('nrpe')), 'runcommand');
  assert.ok(run);
  assert.deepEqual(validateInputs(run, { command: 'check_load' }), { command: 'check_load' });
  for (const bad of ['check load', 'a;b', 'check_load\n']) {
    assert.throws(() => validateInputs(run, { command: bad }), /input 'command' \(NRPE command to run\)/, bad);
  }
});

test('a YAML DDL loads, with Hash/Array types normalised to lower case', () => {
  const ddl = loadDdlFile(`${fixtures}greeter.yaml`);
  assert.equal(ddl.metadata.name, 'greeter');
  assert.equal(ddl.metadata.version, '1.2.0');
  const greet = findAction(ddl, 'greet');
  assert.equal(greet?.input['extra']?.type, 'hash');
  assert.deepEqual(greet?.input['style']?.list, ['formal', 'casual']);
  assert.deepEqual(greet?.aggregate?.[1]?.args, ['length', { format: '%.1f characters' }]);
});

test('bad JSON: the message has the file and the line/column', () => {
  const file = broken('bad-json.json');
  const err = ddlError(() => loadDdlFile(file));
  assert.equal(err.file, file);
  assert.match(err.message, /bad-json\.json: invalid JSON at line 6, column 3/);
});

test('bad JSON without a position from V8 still gets line and column', () => {
  const err = ddlError(() => parseDdl('{\n  "metadata": }', 'x.json'));
  assert.match(err.message, /^x\.json: invalid JSON at line 2, column 15/);
  assert.match(ddlError(() => parseDdl('', 'e.json')).message, /^e\.json: invalid JSON at line 1, column 1/);
});

test('bad YAML: the message has the file and the line/column', () => {
  const err = ddlError(() => loadDdlFile(broken('bad-yaml.yaml')));
  assert.match(err.message, /bad-yaml\.yaml: invalid YAML at line 4, column 2: bad indentation/);
});

test('schema violation: file, JSON path and reason', () => {
  const err = ddlError(() => loadDdlFile(broken('missing-maxlength.json')));
  assert.equal(err.path, '/actions/0/input/name');
  assert.match(err.message, /missing-maxlength\.json at \/actions\/0\/input\/name: must have required property 'maxlength'$/);
});

test('schema violations report the branch chosen by the input type', () => {
  const cases: Array<[(d: Record<string, any>) => void, string, RegExp]> = [
    [(d) => (d.actions[1].input.command.type = 'strnig'), '/actions/1/input/command/type', /must be one of: string, list/],
    [(d) => delete d.actions[1].input.command.type, '/actions/1/input/command', /required property 'type'/],
    [(d) => (d.actions[1].input.args = { prompt: 'P', description: 'D', optional: true, type: 'list' }), '/actions/1/input/args', /required property 'list'/],
    [(d) => (d.actions[1].input.command.maxlength = 'ten'), '/actions/1/input/command/maxlength', /must be number/],
    [(d) => (d.actions[1].display = 'sometimes'), '/actions/1/display', /must be one of: ok, failed, always/],
    [(d) => (d.metadata.name = 'Bad-Name'), '/metadata/name', /must match pattern/],
    [(d) => delete d.metadata.timeout, '/metadata', /required property 'timeout'/],
    [(d) => (d.actions[0].input['bad-name'] = {}), '/actions/0/input', /must not have property 'bad-name'/],
  ];
  for (const [mutate, path, reason] of cases) {
    const doc = nrpeDoc();
    mutate(doc);
    const err = ddlError(() => parseDdl(JSON.stringify(doc), 'ddl/nrpe.json'));
    assert.equal(err.path, path, err.message);
    assert.match(err.message, reason);
    assert.ok(err.message.startsWith(`ddl/nrpe.json at ${path}: `), err.message);
  }
});

test('semantic checks: bad regex, aggregate on a missing output', () => {
  const regex = ddlError(() => loadDdlFile(broken('bad-regex.json')));
  assert.equal(regex.path, '/actions/0/input/name/validation');
  assert.match(regex.message, /is not a valid regular expression/);
  const agg = ddlError(() => loadDdlFile(broken('aggregate-missing-output.json')));
  assert.equal(agg.path, '/actions/0/aggregate/0/args/0');
  assert.match(agg.message, /names output 'colour' which action 'greet' does not have \(outputs: greeting\)/);
});

test('semantic checks: duplicates, empty list, timeout, defaults of the wrong type, missing sections', () => {
  const cases: Array<[(d: Record<string, any>) => void, string, RegExp]> = [
    [(d) => d.actions.push(d.actions[0]), '/actions/2/action', /duplicate action 'runallcommands' \(first defined at \/actions\/0\)/],
    [
      (d) => (d.actions[1].input.args = { prompt: 'P', description: 'D', optional: true, type: 'list', list: [] }),
      '/actions/1/input/args/list',
      /at least one/,
    ],
    [
      (d) => (d.actions[1].input.args = { prompt: 'P', description: 'D', optional: true, type: 'list', list: ['a', 'b', 'a'] }),
      '/actions/1/input/args/list',
      /names 'a' twice/,
    ],
    [(d) => (d.metadata.timeout = 0), '/metadata/timeout', /must be >= 2/],
    [(d) => (d.actions[1].input.command.default = 5), '/actions/1/input/command/default', /must be a string/],
    [
      (d) => (d.actions[1].input.args = { prompt: 'P', description: 'D', optional: true, type: 'integer', default: 1.5 }),
      '/actions/1/input/args/default',
      /must be an integer/,
    ],
    [
      (d) => (d.actions[1].input.args = { prompt: 'P', description: 'D', optional: true, type: 'list', list: ['a'], default: 'b' }),
      '/actions/1/input/args/default',
      /must be one of the list: a/,
    ],
    [(d) => (d.actions[1].aggregate = [{ function: 'summary', args: [] }]), '/actions/1/aggregate/0/args', /first element names an output/],
    [(d) => (d.actions[1].aggregate = [{ args: ['exitcode'] }]), '/actions/1/aggregate/0/function', /must name the aggregate function/],
    [(d) => (d.actions[1].aggregate[0].args.push(7)), '/actions/1/aggregate/0/args/1', /must be a string or an object/],
    [(d) => delete d.actions, '', /must have required property 'actions'/],
  ];
  for (const [mutate, path, reason] of cases) {
    const doc = nrpeDoc();
    mutate(doc);
    const err = ddlError(() => parseDdl(JSON.stringify(doc), 'nrpe.json'));
    assert.equal(err.path, path, err.message);
    assert.match(err.message, reason);
  }
});

test('a non-null default of the right type loads', () => {
  const doc = nrpeDoc();
  doc.actions[1].input.args.default = 'x';
  assert.equal(findAction(parseDdl(JSON.stringify(doc), 'nrpe.json'), 'runcommand')?.input['args']?.default, 'x');
});

test('a missing file is a DdlError naming it', () => {
  const err = ddlError(() => loadDdlFile(`${fixtures}nope.json`));
  assert.match(err.message, /nope\.json: cannot read the DDL file/);
});
