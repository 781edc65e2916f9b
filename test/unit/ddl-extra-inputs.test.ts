import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DdlError, InputError, coerceInputs, foldExtraInputs, parseDdl, validateInputs, type DdlAction } from '@cohort/core';
import { caught } from '../harness/messages.js';

// An action shaped like puppetral's `do`: declared inputs plus a `parameters` hash that takes the rest.
function action(extra: string | null = 'parameters'): DdlAction {
  return {
    action: 'do',
    description: 'Apply a resource',
    input: {
      type: { prompt: 'Type', description: 'Resource type', type: 'string', optional: false, validation: '^[a-z_]+$', maxlength: 64 },
      noop: { prompt: 'Noop', description: 'Only report', type: 'boolean', optional: true, default: false },
      parameters: { prompt: 'Parameters', description: 'Resource parameters', type: 'hash', optional: true, default: {} },
    },
    output: {},
    ...(extra === null ? {} : { extra_inputs: extra }),
  };
}

function ddlText(act: Record<string, unknown>): string {
  return JSON.stringify({
    metadata: { name: 'x', description: 'X', author: 'a', license: 'Apache-2.0', version: '1.0.0', url: 'https://example.com', timeout: 5 },
    actions: [act],
  });
}

test('CLI: undeclared key=value inputs land in the extra_inputs hash as strings', () => {
  const out = coerceInputs(action(), { type: 'user', name: 'rip', password: '$1$xxx', noop: 'yes' });
  assert.deepEqual(out, { type: 'user', noop: true, parameters: { name: 'rip', password: '$1$xxx' } });
});

test('CLI: loose inputs merge over a parameters=JSON hash and win on clashes', () => {
  const out = coerceInputs(action(), { parameters: '{"shell":"/bin/sh","uid":"1"}', uid: '2', type: 'user' });
  assert.deepEqual(out, { type: 'user', parameters: { shell: '/bin/sh', uid: '2' } });
});

test('without extra_inputs an undeclared input is still refused (status 4, listing the valid ones)', () => {
  const err = caught(InputError, () => coerceInputs(action(null), { type: 'user', name: 'rip' }));
  assert.equal(err.status, 4);
  assert.match(err.message, /unknown input 'name'.*valid inputs: type, noop, parameters/);
  assert.equal(caught(InputError, () => validateInputs(action(null), { type: 'user', name: 'rip' })).status, 4);
});

test('validation folds typed extras from library callers and then validates the result', () => {
  const out = validateInputs(action(), { type: 'file', ensure: 'file', mode: 644, recurse: true });
  assert.deepEqual(out, { type: 'file', noop: false, parameters: { ensure: 'file', mode: 644, recurse: true } });
  // Declared inputs are still validated: a bad type is status 4 even with extras present.
  assert.equal(caught(InputError, () => validateInputs(action(), { type: 'Bad Type', ensure: 'x' })).status, 4);
  assert.equal(caught(InputError, () => validateInputs(action(), { ensure: 'x' })).status, 3);
});

test('already-folded data passes through unchanged (the node re-validates what the client sent)', () => {
  const sent = validateInputs(action(), { type: 'host', ip: '10.0.0.1' });
  assert.deepEqual(validateInputs(action(), sent), sent);
  const data = { type: 'host' };
  assert.equal(foldExtraInputs(action(), data), data, 'nothing to fold returns the same object');
});

test('a non-hash value in the collecting input is refused, naming the extras', () => {
  const err = caught(InputError, () => foldExtraInputs(action(), { type: 'host', parameters: 'x', ip: '1.2.3.4' }));
  assert.equal(err.status, 4);
  assert.match(err.message, /'parameters' \(Resource parameters\): must be a hash to collect the other inputs \(ip\)/);
});

test('the DDL loader accepts extra_inputs naming a hash input and rejects anything else', () => {
  const base = { action: 'do', description: 'D', output: {}, input: action().input };
  const ddl = parseDdl(ddlText({ ...base, extra_inputs: 'parameters' }), 'x.json');
  assert.equal(ddl.actions[0]?.extra_inputs, 'parameters');
  assert.match(caught(DdlError, () => parseDdl(ddlText({ ...base, extra_inputs: 'nope' }), 'x.json')).message, /extra_inputs.*'nope' which action 'do' does not have/);
  assert.match(caught(DdlError, () => parseDdl(ddlText({ ...base, extra_inputs: 'type' }), 'x.json')).message, /type 'string'; it must be a hash input/);
  assert.match(caught(DdlError, () => parseDdl(ddlText({ ...base, extra_inputs: 3 }), 'x.json')).message, /must name a hash input/);
});
