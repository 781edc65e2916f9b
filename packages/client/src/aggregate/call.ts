import type { DdlAction, DdlAggregate } from '@cohort/core';
import { AggregatorError } from './errors.js';
import type { AggregateSummary } from './types.js';

/** What an aggregator needs to know about its DDL `aggregate` entry. */
export interface AggregateCall {
  /** DDL function name, e.g. `summary`. */
  function: string;
  /** The output named by `args[0]`. */
  output: string;
  /** That output's `display_as` (the output name when the DDL has no such output). */
  display_as: string;
  /** The `format` of the trailing options object, if any. */
  format: string | undefined;
  /** The trailing options objects merged (e.g. boolean_summary's `{"true": "Enabled"}`), `format` included. */
  options: Record<string, unknown>;
}

/**
 * Read a DDL aggregate entry: `args[0]` names the output, a trailing
 * `{format: "..."}` object (Choria style) carries the format and any options.
 * Throws AggregatorError when `args[0]` is not an output name.
 */
export function readCall(call: DdlAggregate, action: DdlAction): AggregateCall {
  const [output, ...rest] = Array.isArray(call.args) ? call.args : [];
  if (typeof output !== 'string') {
    throw new AggregatorError(
      `aggregate '${call.function}' of action '${action.action}' must name an output as its first argument`,
    );
  }
  const options: Record<string, unknown> = {};
  for (const arg of rest) {
    if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) Object.assign(options, arg);
  }
  const format = typeof options['format'] === 'string' ? options['format'] : undefined;
  const displayAs = Object.hasOwn(action.output, output) ? action.output[output]?.display_as : undefined;
  return { function: call.function, output, display_as: displayAs ?? output, format, options };
}

/** A `counts` summary of `call`: (key, count) pairs in display order and their text lines. */
export function countsSummary(call: AggregateCall, counts: Array<[string, number]>, text: string[]): AggregateSummary {
  return { function: call.function, output: call.output, display_as: call.display_as, kind: 'counts', counts, text };
}
