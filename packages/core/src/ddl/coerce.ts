import { InputError } from '../errors.js';
import { inputLabel, unknownInputError } from './describe.js';
import { foldExtraInputs } from './extra-inputs.js';
import type { DdlAction, DdlInput } from './types.js';

/**
 * Command-line `key=value` arguments arrive as strings; the DDL says what each
 * one really is. Coercion only converts: defaults and validation are
 * validateInputs' job, which callers run next.
 */

const integerText = /^[+-]?\d+$/;
const booleanWords: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  y: true,
  '1': true,
  false: false,
  no: false,
  n: false,
  '0': false,
};
const jsonExamples = { hash: '{"a":1}', array: '["a",1]' } as const;

function invalid(name: string, input: DdlInput, expectation: string, raw: string): InputError {
  return new InputError(name, 4, `input ${inputLabel(name, input)}: expects ${expectation}, got '${raw}'`);
}

function coerceOne(name: string, input: DdlInput, raw: string): unknown {
  switch (input.type) {
    case 'string':
    case 'list':
      return raw;
    case 'integer': {
      const n = Number(raw.trim());
      if (!integerText.test(raw.trim()) || !Number.isSafeInteger(n)) throw invalid(name, input, 'an integer', raw);
      return n;
    }
    case 'float':
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw invalid(name, input, 'a number', raw);
      return n;
    }
    case 'boolean': {
      const word = raw.trim().toLowerCase();
      if (!Object.hasOwn(booleanWords, word)) {
        throw invalid(name, input, 'a boolean (true/false, yes/no, y/n, 1/0)', raw);
      }
      return booleanWords[word];
    }
    case 'hash':
    case 'array':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw invalid(name, input, `JSON, e.g. ${jsonExamples[input.type]}`, raw);
      }
  }
}

/**
 * Coerce CLI `key=value` strings to the DDL types of the action's inputs:
 * integer (`/^[+-]?\d+$/`), float/number (any finite number), boolean
 * (true/false, yes/no, y/n, 1/0, any case), hash/array (JSON), string/list
 * unchanged. Returns a new object; applies no defaults and no validation.
 * An action with `extra_inputs` gets its undeclared keys, as strings, in that
 * hash input (see foldExtraInputs). Throws InputError status 4 for an unknown
 * key (listing the valid inputs) or a value that does not convert.
 */
export function coerceInputs(action: DdlAction, raw: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(raw)) {
    const input = Object.hasOwn(action.input, name) ? action.input[name] : undefined;
    if (input === undefined) {
      if (action.extra_inputs === undefined) throw unknownInputError(action, name);
      out[name] = text;
    } else {
      out[name] = coerceOne(name, input, text);
    }
  }
  return foldExtraInputs(action, out);
}
