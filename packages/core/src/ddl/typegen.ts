import { DdlError } from '../errors.js';
import type { Ddl, DdlAction, DdlInput, InputType } from './types.js';

/**
 * TypeScript source generated from an agent DDL, so agents and clients get
 * their action types from the one source of truth. Object types are emitted
 * as type aliases rather than interfaces: only aliases are assignable to index
 * signature types such as `AgentActionMap` and `Record<string, unknown>`.
 */

/** Options for {@link generateAgentTypes}. */
export interface AgentTypesOptions {
  /** The DDL file the types come from, named in the header (e.g. `ddl/rpcutil.json`). */
  source?: string;
}

/** `get_fact` → `GetFact`; a leading digit gets a `_` so the result is an identifier. */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(name: string): string {
  return identifier.test(name) ? name : JSON.stringify(name);
}

function tsType(type: InputType | undefined, list?: readonly unknown[]): string {
  switch (type) {
    case 'list':
      return list !== undefined && list.length > 0 && list.every((v) => typeof v === 'string')
        ? list.map((v) => JSON.stringify(v)).join(' | ')
        : 'string';
    case 'string':
      return 'string';
    case 'integer':
    case 'float':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'hash':
      return 'Record<string, unknown>';
    case 'array':
      return 'unknown[]';
    case undefined:
      return 'unknown';
  }
}

function jsdoc(lines: readonly string[], indent: string): string {
  const text = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  if (text.length === 1) return `${indent}/** ${text[0]} */\n`;
  return `${indent}/**\n${text.map((l) => (l === '' ? `${indent} *\n` : `${indent} * ${l}\n`)).join('')}${indent} */\n`;
}

function inputDoc(input: DdlInput): string[] {
  const notes: string[] = [];
  if (input.type === 'string') {
    const max = input.maxlength ?? 0;
    notes.push(`Validation: \`${input.validation ?? ''}\`${max > 0 ? `, at most ${max} characters` : ''}.`);
  }
  if (input.default !== undefined && input.default !== null) notes.push(`@default ${JSON.stringify(input.default)}`);
  return notes.length > 0 ? [input.description, '', ...notes] : [input.description];
}

/** One property of a generated object type. */
interface Prop {
  name: string;
  doc: string[];
  optional: boolean;
  type: string;
}

function objectType(name: string, doc: string[], props: readonly Prop[]): string {
  if (props.length === 0) return `${jsdoc(doc, '')}export type ${name} = Record<string, never>;\n`;
  const body = props.map((p) => `${jsdoc(p.doc, '  ')}  ${key(p.name)}${p.optional ? '?' : ''}: ${p.type};\n`);
  return `${jsdoc(doc, '')}export type ${name} = {\n${body.join('')}};\n`;
}

/** An input the daemon fills in when a request leaves it out (validateInputs applies non-null DDL defaults). */
function hasDefault(input: DdlInput): boolean {
  return input.default !== undefined && input.default !== null;
}

/** True when some input of the action has a DDL default, so what the action receives differs from what a caller sends. */
function fillsDefaults(action: DdlAction): boolean {
  return Object.values(action.input).some(hasDefault);
}

function actionTypes(agent: string, prefix: string, action: DdlAction): string {
  const inputs = Object.entries(action.input).map(
    ([name, input]): Prop => ({
      name,
      doc: inputDoc(input),
      optional: input.optional,
      type: tsType(input.type, input.list),
    }),
  );
  // The agent's view: an input with a DDL default is always there (the daemon fills it in before the action runs).
  const received = inputs.map((p): Prop => (hasDefault(action.input[p.name] as DdlInput) ? { ...p, optional: false } : p));
  const outputs = Object.entries(action.output).map(
    ([name, output]): Prop => ({
      name,
      doc: [`${output.description} (shown as "${output.display_as}")`],
      optional: false,
      type: tsType(output.type),
    }),
  );
  const ref = `${agent}#${action.action}`;
  const outputDoc = `Outputs of ${ref}; every output is present in a reply (DDL defaults pre-fill them).`;
  return [
    objectType(`${prefix}Input`, [`Inputs of ${ref}: ${action.description}`], inputs),
    ...(fillsDefaults(action)
      ? [objectType(`${prefix}Received`, [`Inputs of ${ref} as the action receives them: the DDL defaults filled in, so defaulted inputs are always present.`], received)]
      : []),
    objectType(`${prefix}Output`, [outputDoc], outputs),
  ].join('\n');
}

/**
 * TypeScript source for one agent, generated from its DDL: per action
 * `<Agent><Action>Input` (what a caller sends: optional inputs get `?`),
 * `<Agent><Action>Received` when some input has a DDL default (what the action
 * receives: defaulted inputs are required, the daemon fills them in) and
 * `<Agent><Action>Output`, then `<Agent>Actions` mapping each action name to
 * `{ input; received; output }` (received is the Input type when no input has
 * a default), which
 * satisfies `AgentActionMap`. Names are Pascal-cased from snake_case
 * (rpcutil + get_fact → `RpcutilGetFactInput`). Types: string → string,
 * list → union of its string values, integer/float/number → number, boolean →
 * boolean, hash → Record<string, unknown>, array → unknown[], an output with
 * no type → unknown. Output is deterministic (DDL order). Throws DdlError when
 * two actions would get the same type name.
 */
export function generateAgentTypes(ddl: Ddl, options: AgentTypesOptions = {}): string {
  const { name, version, description } = ddl.metadata;
  const agent = pascalCase(name);
  const from = options.source ?? `the '${name}' agent DDL`;
  const seen = new Map<string, string>();
  const parts = ddl.actions.map((action, i) => {
    const prefix = agent + pascalCase(action.action);
    const clash = seen.get(prefix);
    if (clash !== undefined) {
      const reason = `action '${action.action}' and '${clash}' both give type names ${prefix}*; rename one`;
      throw new DdlError(options.source ?? name, `/actions/${i}/action`, reason);
    }
    seen.set(prefix, action.action);
    return actionTypes(name, prefix, action);
  });
  const map = ddl.actions.map((action) => {
    const prefix = agent + pascalCase(action.action);
    const entry = `{ input: ${prefix}Input; received: ${prefix}${fillsDefaults(action) ? 'Received' : 'Input'}; output: ${prefix}Output }`;
    return `${jsdoc([action.description], '  ')}  ${key(action.action)}: ${entry};\n`;
  });
  const header =
    `// Generated by Cohort from ${from} (agent ${name} ${version}).\n` +
    '// Do not edit: change the DDL and regenerate (packages/agents/scripts/gen-agent-types.mjs runs in the @cohort/agents build).\n';
  const actions =
    jsdoc([`Actions of the ${name} agent: ${description}`, '', 'Satisfies AgentActionMap from @cohort/core.'], '') +
    `export type ${agent}Actions = {\n${map.join('')}};\n`;
  return [header, ...parts, actions].join('\n');
}
