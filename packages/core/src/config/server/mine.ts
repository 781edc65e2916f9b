import { mineFunctionSchema, parseMineFunctions } from '../../mine/parse.js';
import { item } from '../spec.js';

/**
 * `mine:` in the server configuration: functions whose results the node
 * keeps in the collective's mine bucket, by name:
 *
 *   mine:
 *     os_release: { agent: rpcutil, action: get_fact, inputs: { fact: os.release }, interval: 5m }
 *     check_mk:   { command: [/usr/bin/check_mk_agent], interval: 60s, timeout: 20s }
 *
 * `mine_dir` adds a drop-in directory of YAML files of the same shape. Both
 * are re-read when they change, without a restart (docs/mine.md).
 */
export const mineItem = item<Readonly<Record<string, unknown>>>({
  default: {},
  doc: 'mine functions: name -> { agent, action, inputs, interval } or { command: [argv], interval, timeout }; re-read live (docs/mine.md)',
  schema: { type: 'object', propertyNames: { pattern: '^[A-Za-z0-9_-]{1,64}$' }, additionalProperties: mineFunctionSchema },
  expect: 'a map of function names to { agent, action, inputs, interval } or { command, interval }',
  check: (v) => parseMineFunctions(v, 'config').errors[0],
});

export const mineDirItem = item<string | null>({
  default: null,
  doc: 'drop-in directory of YAML files of mine functions (same shape as mine:), picked up when they change',
  schema: { type: ['string', 'null'], minLength: 1 },
  expect: 'a directory path or null',
  path: true,
});
