/**
 * Client side: turning CLI filter flags into a wire Filter, validating every
 * part so a mistake is reported (with a caret) before anything is sent.
 */
import { FilterSyntaxError } from '../errors.js';
import { isSpace } from './comparison.js';
import { parseCompoundNode } from './compound/parser.js';
import { parseFactExpression, parseWithToken } from './fact-expression.js';
import { compileRegex, isSlashRegex } from './regex.js';
import { emptyFilter, type Filter } from './types.js';

/** CLI filter flags, each repeatable, as typed by the operator. */
export interface FilterSpec {
  fact?: readonly string[];
  cls?: readonly string[];
  identity?: readonly string[];
  agent?: readonly string[];
  /** `-W` values; each is split on whitespace into tokens. */
  with?: readonly string[];
  select?: readonly string[];
}

/**
 * Build a wire Filter from CLI flags, validating every part. `-F` values are
 * fact expressions, `-C`/`-I`/`-A` names or `/regex/`, `-W` values are split
 * on whitespace into fact expressions and classes, `-S` values are compound
 * expressions (kept as source text on the wire). Throws FilterSyntaxError
 * whose position points into the offending flag value.
 */
export function buildFilter(spec: FilterSpec): Filter {
  const filter = emptyFilter();
  for (const expr of spec.fact ?? []) filter.fact.push(parseFactExpression(expr));
  for (const value of spec.cls ?? []) filter.cf_class.push(checkName('class', value));
  for (const value of spec.identity ?? []) filter.identity.push(checkName('identity', value));
  for (const value of spec.agent ?? []) filter.agent.push(checkName('agent', value));
  for (const value of spec.with ?? []) addWith(filter, value);
  for (const value of spec.select ?? []) {
    parseCompoundNode(value);
    filter.compound.push(value.trim());
  }
  return filter;
}

/** Validate a class, identity or agent value: non-empty, and a `/regex/` must compile. Returns it trimmed. */
function checkName(kind: 'class' | 'identity' | 'agent', value: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new FilterSyntaxError(`empty ${kind} filter: give a name or a /regex/`, value, 0);
  if (isSlashRegex(trimmed)) {
    const compiled = compileRegex(trimmed.slice(1, -1));
    if (typeof compiled === 'string') {
      const at = value.indexOf(trimmed) + 1;
      throw new FilterSyntaxError(`invalid ${kind} regular expression: ${compiled}`, value, at, Math.max(1, trimmed.length - 2));
    }
  }
  return trimmed;
}

/** Split one `-W` value on whitespace and add each token as a fact or a class. */
function addWith(filter: Filter, value: string): void {
  let i = 0;
  let tokens = 0;
  while (i < value.length) {
    while (i < value.length && isSpace(value[i])) i++;
    const start = i;
    while (i < value.length && !isSpace(value[i])) i++;
    if (start === i) break;
    tokens++;
    const token = value.slice(start, i);
    try {
      const parsed = parseWithToken(token);
      if (parsed.kind === 'fact') filter.fact.push(parsed.fact);
      else filter.cf_class.push(checkName('class', parsed.value));
    } catch (err) {
      if (!(err instanceof FilterSyntaxError)) throw err;
      throw new FilterSyntaxError(err.message, value, start + err.position, err.length);
    }
  }
  if (tokens === 0) throw new FilterSyntaxError('empty -W filter: give facts (name=value) and/or classes', value, 0);
}

/**
 * When the filter is nothing but plain (non-regex) identities, return them:
 * the client can address those nodes directly and skip discovery. Returns
 * undefined when there are no identities, any other kind of term, or a `/regex/` identity.
 */
export function plainIdentities(filter: Filter): string[] | undefined {
  if (filter.identity.length === 0) return undefined;
  if (filter.fact.length + filter.cf_class.length + filter.agent.length + filter.compound.length > 0) return undefined;
  for (const identity of filter.identity) if (isSlashRegex(identity)) return undefined;
  return [...filter.identity];
}
