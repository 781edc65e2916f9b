/**
 * The data functions a compound expression may call, with their fields and
 * result types. The client validates calls against this table before sending,
 * so a typo is a syntax error instead of a silent "no nodes matched".
 */

/** Result type of a data-function field, used for parse-time checks. */
export type FieldType = 'number' | 'string' | 'boolean' | 'any';

export interface DataFunctionSpec {
  readonly fields: Readonly<Record<string, FieldType>>;
  /** Field used when the call has no `.field`; undefined means a field is required. */
  readonly defaultField: string | undefined;
  readonly example: string;
}

/** Every data function known to the compound grammar. */
export const dataFunctions = {
  fstat: {
    fields: { size: 'number', mode: 'string', md5: 'string', mtime: 'number', present: 'boolean', type: 'string' },
    defaultField: undefined,
    example: "fstat('/etc/hosts').size>0",
  },
  fact: {
    fields: { value: 'any', exists: 'boolean' },
    defaultField: 'value',
    example: "fact('os.family')=debian",
  },
  // The node's own state of a check (docs/checks.md); the registry cannot answer it, so discovery broadcasts.
  check: {
    fields: { state: 'string', hard: 'boolean', output: 'string', exists: 'boolean', since: 'number', attempt: 'number' },
    defaultField: 'state',
    example: "check('load').state=critical",
  },
} as const satisfies Record<string, DataFunctionSpec>;

export type DataFunctionName = keyof typeof dataFunctions;

/** Narrow a name to a known data function. */
export function isDataFunction(name: string): name is DataFunctionName {
  return Object.hasOwn(dataFunctions, name);
}

/** The declared type of `field` of function `name`, or undefined when there is no such field. */
export function fieldType(name: DataFunctionName, field: string): FieldType | undefined {
  const fields: Readonly<Record<string, FieldType>> = dataFunctions[name].fields;
  return Object.hasOwn(fields, field) ? fields[field] : undefined;
}
