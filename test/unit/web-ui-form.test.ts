// The page's run form (packages/web/ui/src/model/form.ts): fields generated
// from DDLs, and the messages it shows checked against the CLI's own
// coercion and validation (core's coerceInputs + validateInputs), so a
// person sees in the browser exactly what `cohort rpc` would print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { InputError, builtinDdlDir, coerceInputs, loadDdlFile, validateInputs, type DdlAction, type DdlInput, type InputType } from '@cohort/core';
import { formFields, initialValues, readForm } from '../../packages/web/ui/src/model/form.ts';

function one(name: string, input: Partial<DdlInput> & { type: InputType }): DdlAction {
  return {
    action: 'act',
    description: 'test',
    input: { [name]: { prompt: name.toUpperCase(), description: `The ${name}`, optional: false, ...input } as DdlInput },
    output: {},
  };
}

/** What the CLI says for `name=raw`: undefined when it accepts, else the InputError message. */
function cliSays(action: DdlAction, raw: Record<string, string>): string | undefined {
  try {
    validateInputs(action, coerceInputs(action, raw));
    return undefined;
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
}

const builtins = readdirSync(builtinDdlDir())
  .filter((f) => f.endsWith('.json'))
  .map((f) => loadDdlFile(join(builtinDdlDir(), f)));

test('every built-in DDL action gets one field per input, in order, with the control its type calls for', () => {
  let fields = 0;
  for (const ddl of builtins) {
    for (const action of ddl.actions) {
      const fs = formFields(action);
      assert.deepEqual(
        fs.map((f) => f.name),
        Object.keys(action.input),
        `${ddl.metadata.name}.${action.action}`,
      );
      for (const f of fs) {
        const input = action.input[f.name] as DdlInput;
        fields++;
        assert.equal(f.required, !input.optional && (input.default === undefined || input.default === null), `${action.action}.${f.name} required`);
        const want = { string: 'text', list: 'select', integer: 'number', float: 'number', number: 'number', hash: 'json', array: 'json', boolean: input.optional && input.default == null ? 'tristate' : 'checkbox' }[input.type];
        assert.equal(f.control, want, `${action.action}.${f.name} control`);
        if (input.validation !== undefined) assert.match(f.hint, /must match/);
      }
    }
  }
  assert.ok(fields > 20, `only ${fields} fields in the built-in DDLs`);
});

test('defaults fill the form: provision set_master port 8140, unlock force unchecked, puppetral parameters {}', () => {
  const provision = builtins.find((d) => d.metadata.name === 'provision');
  const puppetral = builtins.find((d) => d.metadata.name === 'puppetral');
  assert.ok(provision && puppetral);
  const setMaster = provision.actions.find((a) => a.action === 'set_master') as DdlAction;
  assert.equal(initialValues(setMaster)['port'], '8140');
  const unlock = provision.actions.find((a) => a.action === 'unlock') as DdlAction;
  assert.equal(initialValues(unlock)['force'], false);
  const find = puppetral.actions.find((a) => a.action === 'find') as DdlAction;
  assert.equal(initialValues(find)['parameters'], '{}');
  // An untouched form of defaults reads back as the defaults, typed.
  const read = readForm(setMaster, { ...initialValues(setMaster), host: 'puppet.example' });
  assert.deepEqual(read.errors, {});
  assert.deepEqual(read.inputs, { host: 'puppet.example', port: 8140 });
});

test('a list input is a select of its options; its value is the option itself', () => {
  const action = one('colour', { type: 'list', list: ['red', 'green'] });
  const [f] = formFields(action);
  assert.deepEqual(f?.options, ['red', 'green']);
  assert.deepEqual(readForm(action, { colour: 'green' }), { inputs: { colour: 'green' }, errors: {} });
  assert.equal(readForm(action, { colour: 'blue' }).errors['colour'], cliSays(action, { colour: 'blue' }));
});

test('required inputs left empty get the CLI missing-input message; optional ones are left out so defaults apply', () => {
  for (const type of ['string', 'integer', 'hash', 'list'] as const) {
    const action = one('thing', { type, list: ['a'] });
    const cli = (() => {
      try {
        validateInputs(action, {});
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    })();
    assert.equal(readForm(action, { thing: '' }).errors['thing'], cli);
    const optional = one('thing', { type, optional: true, list: ['a'] });
    assert.deepEqual(readForm(optional, { thing: '' }), { inputs: {}, errors: {} });
  }
});

test('booleans: a checkbox always sends true/false; an optional one without default can stay unset', () => {
  const box = one('force', { type: 'boolean', optional: true, default: false });
  assert.equal(formFields(box)[0]?.control, 'checkbox');
  assert.deepEqual(readForm(box, { force: true }).inputs, { force: true });
  assert.deepEqual(readForm(box, { force: false }).inputs, { force: false });
  const tri = one('noop', { type: 'boolean', optional: true });
  assert.deepEqual(readForm(tri, { noop: '' }).inputs, {});
  assert.deepEqual(readForm(tri, { noop: 'false' }).inputs, { noop: false });
});

// Property: for any text typed into a field, when the page reports a problem it is
// word for word the CLI's; when the page accepts, the CLI accepts too, or
// refuses only by a string `validation`, which the page leaves to POST /api/validate.
const cases: Array<[string, Partial<DdlInput> & { type: InputType }]> = [
  ['integer', { type: 'integer' }],
  ['float', { type: 'float' }],
  ['number', { type: 'number' }],
  ['hash', { type: 'hash' }],
  ['array', { type: 'array' }],
  ['list', { type: 'list', list: ['a', 'b', '1'] }],
  ['string', { type: 'string', maxlength: 5 }],
  ['regex', { type: 'string', validation: '\\A[a-z]+\\z', maxlength: 0 }],
];
for (const [label, input] of cases) {
  test(`${label} field: the page's message for any text is the CLI's`, () => {
    const action = one('x', input);
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer().map(String),
      fc.double({ noNaN: false }).map(String),
      fc.json({ maxDepth: 2 }),
      fc.constantFrom('a', 'b', '1', '12345', '123456', ' 7 ', '+3', '1e3', '{}', '[]', 'null', 'true', '{"a":1}', 'ünï', '🎉🎉🎉🎉🎉🎉'),
    );
    fc.assert(
      fc.property(
        text.filter((s) => s !== ''),
        (raw) => {
          const page = readForm(action, { x: raw }).errors['x'];
          const cli = cliSays(action, { x: raw });
          if (page !== undefined) assert.equal(page, cli, `text ${JSON.stringify(raw)}`);
          else if (cli !== undefined) assert.match(cli, /must match the regular expression/, `text ${JSON.stringify(raw)}: page accepted, CLI says ${cli}`);
        },
      ),
      { numRuns: 300 },
    );
  });
}
