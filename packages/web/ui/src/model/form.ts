import type { DdlAction, DdlInput, InputType } from './types.ts';

/**
 * The run form generated from an action's DDL: one field per input, with the
 * control its type calls for, and the reading of the form back into typed
 * inputs. Messages are worded exactly as the CLI's (core's coerceInputs and
 * validateInputs: `input 'x' (description): ...`, `missing required input
 * ...`); the page then asks POST /api/validate, which runs the CLI's own
 * validators (regexes, named validators), and /api/run validates again.
 */

export type Control = 'text' | 'number' | 'checkbox' | 'tristate' | 'select' | 'json';

export interface Field {
  name: string;
  label: string;
  description: string;
  type: InputType;
  control: Control;
  /** Must be filled: not optional and no default (the validator's rule). */
  required: boolean;
  /** For `list` inputs: the allowed values as text. */
  options?: string[];
  /** The DDL default as the control shows it ('' when none). */
  defaultText: string;
  /** A hint: the validation regex or named validator, the maximum length, the JSON shape. */
  hint: string;
  maxlength?: number;
}

/** What a control holds: text for most, a boolean for checkboxes. */
export type FieldValue = string | boolean;

const jsonExamples = { hash: '{"a":1}', array: '["a",1]' } as const;
const typeNouns: Readonly<Record<InputType, string>> = {
  string: 'a string',
  list: 'a string',
  boolean: 'a boolean (true or false)',
  integer: 'an integer (a whole number)',
  float: 'a number',
  number: 'a number',
  hash: 'a hash (a JSON object)',
  array: 'an array',
};

function hasDefault(input: DdlInput): boolean {
  return input.default !== undefined && input.default !== null;
}

/** `'fact' (Fact to retrieve)`: how the CLI's messages name an input. */
export function inputLabel(name: string, input: DdlInput | undefined): string {
  return input === undefined || input.description === undefined ? `'${name}'` : `'${name}' (${input.description})`;
}

function controlOf(input: DdlInput): Control {
  switch (input.type) {
    case 'boolean':
      return input.optional === true && !hasDefault(input) ? 'tristate' : 'checkbox';
    case 'list':
      return 'select';
    case 'integer':
    case 'float':
    case 'number':
      return 'number';
    case 'hash':
    case 'array':
      return 'json';
    default:
      return 'text';
  }
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function hintOf(input: DdlInput): string {
  const parts: string[] = [];
  if (input.type === 'hash' || input.type === 'array') parts.push(`JSON, e.g. ${jsonExamples[input.type]}`);
  if (input.type === 'integer') parts.push('a whole number');
  if (input.type === 'float' || input.type === 'number') parts.push('a number');
  if (input.validation !== undefined) parts.push(`must match ${input.validation}`);
  if ((input.maxlength ?? 0) > 0) parts.push(`at most ${input.maxlength} characters`);
  return parts.join('; ');
}

/** The form's fields for `action`, in DDL order. */
export function formFields(action: DdlAction): Field[] {
  return Object.entries(action.input).map(([name, input]) => {
    const field: Field = {
      name,
      label: input.prompt !== undefined && input.prompt !== '' ? input.prompt : name,
      description: input.description ?? '',
      type: input.type,
      control: controlOf(input),
      required: input.optional !== true && !hasDefault(input),
      defaultText: textOf(input.default),
      hint: hintOf(input),
    };
    if (input.type === 'list') field.options = (input.list ?? []).map(textOf);
    if ((input.maxlength ?? 0) > 0) field.maxlength = input.maxlength;
    return field;
  });
}

/** The controls' starting values: the DDL defaults. */
export function initialValues(action: DdlAction): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of formFields(action)) {
    if (f.control === 'checkbox') out[f.name] = action.input[f.name]?.default === true;
    else out[f.name] = f.defaultText;
  }
  return out;
}

export interface FormReading {
  /** The typed inputs to send (left-out optional inputs are absent, so their defaults apply). */
  inputs: Record<string, unknown>;
  /** Input name -> message, worded as the CLI words it. */
  errors: Record<string, string>;
}

const integerText = /^[+-]?\d+$/;

function expects(name: string, input: DdlInput, expectation: string, raw: string): string {
  return `input ${inputLabel(name, input)}: expects ${expectation}, got '${raw}'`;
}

function must(name: string, input: DdlInput, what: string): string {
  return `input ${inputLabel(name, input)}: ${what}`;
}

type One = { value: unknown } | { error: string } | { absent: true };

function readOne(name: string, input: DdlInput, control: Control, raw: FieldValue | undefined): One {
  if (control === 'checkbox') return { value: raw === true };
  const text = typeof raw === 'string' ? raw : raw === true ? 'true' : '';
  if (text === '') return { absent: true };
  switch (input.type) {
    case 'boolean':
      return text === 'true' ? { value: true } : text === 'false' ? { value: false } : { error: must(name, input, `must be ${typeNouns.boolean}`) };
    case 'integer': {
      const n = Number(text.trim());
      return integerText.test(text.trim()) && Number.isSafeInteger(n) ? { value: n } : { error: expects(name, input, 'an integer', text) };
    }
    case 'float':
    case 'number': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? { value: n } : { error: expects(name, input, 'a number', text) };
    }
    case 'hash':
    case 'array': {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        return { error: expects(name, input, `JSON, e.g. ${jsonExamples[input.type]}`, text) };
      }
      const ok = input.type === 'array' ? Array.isArray(v) : typeof v === 'object' && v !== null && !Array.isArray(v);
      return ok ? { value: v } : { error: must(name, input, `must be ${typeNouns[input.type]}`) };
    }
    case 'list': {
      const list = input.list ?? [];
      const hit = list.find((o) => textOf(o) === text);
      return hit !== undefined ? { value: hit } : { error: must(name, input, `must be one of: ${list.map(String).join(', ')}`) };
    }
    case 'string': {
      const max = input.maxlength ?? 0;
      if (max > 0 && [...text].length > max) return { error: must(name, input, `must be a string of at most ${max} characters`) };
      return { value: text };
    }
  }
}

/**
 * Read the controls into typed inputs and the problems the page can see by
 * itself (types, required, list membership, length). Regex and named
 * validators are the server's (POST /api/validate), so they never diverge.
 */
export function readForm(action: DdlAction, values: Record<string, FieldValue>): FormReading {
  const inputs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of formFields(action)) {
    const input = action.input[field.name] as DdlInput;
    const one = readOne(field.name, input, field.control, values[field.name]);
    if ('value' in one) inputs[field.name] = one.value;
    else if ('error' in one) errors[field.name] = one.error;
    else if (field.required) errors[field.name] = `missing required input ${inputLabel(field.name, input)}`;
  }
  return { inputs, errors };
}
