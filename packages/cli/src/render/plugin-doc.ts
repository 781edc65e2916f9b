import type { Ddl, DdlAction, DdlInput, DdlOutput } from '@cohort/core';

/**
 * An agent's documentation generated from its DDL (in the manner of
 * `mco plugin doc`): metadata, the action list, then per action its inputs
 * (type, optional, default, validation, description) and outputs.
 */
export function renderPluginDoc(ddl: Ddl, only?: DdlAction): string[] {
  const m = ddl.metadata;
  const lines = [m.name, '='.repeat(m.name.length), '', m.description, ''];
  lines.push(...table([
    ['Author', m.author],
    ['Version', m.version],
    ['License', m.license],
    ['Timeout', `${m.timeout} seconds`],
    ['Home Page', m.url],
  ], 6));
  const actions = only ? [only] : ddl.actions;
  if (!only) {
    lines.push('', 'ACTIONS:', '========', `   ${ddl.actions.map((a) => a.action).join(', ')}`);
  }
  for (const action of actions) lines.push('', ...renderAction(m.name, action));
  lines.push('');
  // One blank line between blocks, however the sections ended.
  return lines.filter((line, i) => line !== '' || lines[i - 1] !== '');
}

function renderAction(agent: string, action: DdlAction): string[] {
  const title = `${action.action} action:`;
  const lines = [`   ${title}`, `   ${'-'.repeat(title.length)}`, `       ${action.description}`, ''];
  lines.push('       INPUT:');
  const inputs = Object.entries(action.input);
  if (inputs.length === 0) lines.push('           This action does not have any inputs');
  for (const [name, input] of inputs) lines.push(`           ${name}:`, ...table(inputRows(input), 14), '');
  lines.push('', '       OUTPUT:');
  const outputs = Object.entries(action.output);
  if (outputs.length === 0) lines.push('           This action does not have any outputs');
  for (const [name, output] of outputs) lines.push(`           ${name}:`, ...table(outputRows(output), 14), '');
  lines.push('', `       Display: ${action.display ?? 'failed'}`);
  if (action.aggregate?.length) {
    const calls = action.aggregate.map((a) => `${a.function}(${a.args.filter((x) => typeof x === 'string').join(', ')})`);
    lines.push(`       Aggregate: ${calls.join(', ')}`);
  }
  lines.push(`       Usage: cohort rpc ${agent} ${action.action}${usageInputs(action)}`);
  return lines;
}

function inputRows(input: DdlInput): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Description', input.description],
    ['Prompt', input.prompt],
    ['Type', input.type],
    ['Optional', String(input.optional)],
  ];
  if (input.validation !== undefined) rows.push(['Validation', input.validation]);
  if (input.maxlength !== undefined) rows.push(['Length', input.maxlength === 0 ? 'unlimited' : String(input.maxlength)]);
  if (input.list !== undefined) rows.push(['Valid Values', input.list.map((v) => JSON.stringify(v)).join(', ')]);
  if (input.default !== undefined && input.default !== null) rows.push(['Default', JSON.stringify(input.default)]);
  return rows;
}

function outputRows(output: DdlOutput): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Description', output.description],
    ['Display As', output.display_as],
  ];
  if (output.type !== undefined) rows.push(['Type', output.type]);
  if (output.default !== undefined && output.default !== null) rows.push(['Default', JSON.stringify(output.default)]);
  return rows;
}

function usageInputs(action: DdlAction): string {
  return Object.entries(action.input)
    .map(([name, input]) => (input.optional ? ` [${name}=<${input.type}>]` : ` ${name}=<${input.type}>`))
    .join('');
}

function table(rows: Array<[string, string]>, indent: number): string[] {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${' '.repeat(indent)}${k.padStart(width)}: ${v}`);
}
