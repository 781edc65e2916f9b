import { errorMessage, FilterSyntaxError } from '../../errors.js';
import { parseCompound, parseFactExpression } from '../../filter/index.js';
import { emptyFilter, type Filter } from '../../filter/types.js';
import { SecurityError } from '../errors.js';
import type { CallerPattern, Policy, PolicyEffect, PolicyGroups, PolicyRule } from './types.js';

/**
 * MCollective's actionpolicy format (mcollective-actionpolicy-auth):
 *
 *     # comments and blank lines are ignored
 *     policy default deny
 *     allow<TAB>user=alice<TAB>*<TAB>*<TAB>*
 *     allow<TAB>/^user=ops-/ admins<TAB>status restart<TAB>role=web<TAB>apache
 *     deny<TAB>*<TAB>stop<TAB>(environment=production and not country=de)
 *
 * Fields are separated by tabs; inside a field, values by spaces. Callers are
 * caller ids, `/regex/` or group names (from the `groups` file); every listed
 * fact and class must match; a 4-field rule's last field (or a facts field
 * using and/or/not/parentheses) is a compound filter in the `-S` grammar.
 * First matching rule wins, else `policy default`.
 */

/** A policy file (or groups file) that does not parse: names the file and line. */
export class PolicyError extends SecurityError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, reason: string) {
    super(`${file}${line > 0 ? ` line ${line}` : ''}: ${reason}`);
    this.file = file;
    this.line = line;
  }
}

// A compound uses parentheses, and/or/not, or a leading `!` (but `!=` is a fact operator).
const compoundHint = /[()]|(^|\s)(and|or|not)(\s|$)|(^|\s)!(?!=)/;

/** Parse a caller field entry: `/regex/`, a caller id (has `=`) or a group name. */
function callerPattern(token: string, file: string, line: number): CallerPattern {
  if (token.length > 2 && token.startsWith('/') && token.endsWith('/')) {
    const source = token.slice(1, -1);
    try {
      return { kind: 'regex', regex: new RegExp(source), source };
    } catch (err) {
      throw new PolicyError(file, line, `caller regex ${token} does not compile: ${errorMessage(err)}`);
    }
  }
  return token.includes('=') ? { kind: 'caller', callerid: token } : { kind: 'group', name: token };
}

function words(field: string): string[] {
  return field.split(/\s+/).filter((w) => w !== '');
}

/** Facts (or a compound expression) and classes as a wire filter; null when both are `*`. */
function conditions(facts: string, classes: string, file: string, line: number): Filter | null {
  if (facts === '*' && classes === '*') return null;
  const filter = emptyFilter();
  try {
    if (facts !== '*') {
      if (compoundHint.test(facts)) {
        parseCompound(facts);
        filter.compound.push(facts);
      } else {
        for (const expr of words(facts)) filter.fact.push(parseFactExpression(expr));
      }
    }
  } catch (err) {
    const detail = err instanceof FilterSyntaxError ? `${err.message}\n${err.pointer()}` : errorMessage(err);
    throw new PolicyError(file, line, `invalid facts field '${facts}': ${detail}`);
  }
  if (classes !== '*') {
    for (const cls of words(classes)) {
      if (cls.length > 2 && cls.startsWith('/') && cls.endsWith('/')) {
        try {
          new RegExp(cls.slice(1, -1));
        } catch (err) {
          throw new PolicyError(file, line, `class regex ${cls} does not compile: ${errorMessage(err)}`);
        }
      }
      filter.cf_class.push(cls);
    }
  }
  return filter;
}

function rule(fields: string[], file: string, line: number): PolicyRule {
  const [effect, callers, actions, facts, classes] = fields as [PolicyEffect, string, string, string, string | undefined];
  return {
    effect,
    callers: callers === '*' ? '*' : words(callers).map((t) => callerPattern(t, file, line)),
    actions: actions === '*' ? '*' : words(actions),
    conditions: conditions(facts, classes ?? '*', file, line),
    line,
  };
}

/** Parse the text of an actionpolicy file. Throws PolicyError naming the file and line. */
export function parsePolicy(text: string, file: string): Policy {
  let defaultEffect: PolicyEffect | undefined;
  const rules: PolicyRule[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\s+$/, '');
    const line = i + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const policyLine = /^policy\s+default\s+(\S+)$/.exec(raw.trim());
    if (policyLine) {
      const value = policyLine[1];
      if (value !== 'allow' && value !== 'deny') throw new PolicyError(file, line, `policy default must be allow or deny (got '${value ?? ''}')`);
      defaultEffect = value;
      continue;
    }
    const fields = raw.split(/\t+/).map((f) => f.trim());
    const effect = /^\S+/.exec(raw.trim())?.[0];
    if (effect !== 'allow' && effect !== 'deny') {
      throw new PolicyError(file, line, `expected 'policy default allow|deny' or a rule starting with allow or deny (got '${raw.slice(0, 60)}')`);
    }
    if (fields.length < 4 || fields.length > 5 || fields[0] !== effect || fields.some((f) => f === '')) {
      throw new PolicyError(
        file,
        line,
        `a rule has 4 or 5 TAB-separated fields: allow|deny, callers, actions, facts (or a compound filter)[, classes]; found ${fields.length}` +
          (fields.length < 4 && / /.test(fields[0] ?? '') ? ' (are the fields separated by spaces instead of tabs?)' : ''),
      );
    }
    rules.push(rule(fields, file, line));
  }
  return { file, defaultEffect, rules };
}

/**
 * Parse a groups file: one group per line, `name member member ...`
 * separated by whitespace, members being caller ids or `/regex/`.
 */
export function parseGroups(text: string, file: string): PolicyGroups {
  const groups = new Map<string, CallerPattern[]>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const [name, ...members] = words(raw);
    if (!name || !/^[\w.\-]+$/.test(name)) throw new PolicyError(file, i + 1, `group name '${name ?? ''}' may use only letters, digits, _ . and -`);
    const patterns = members.map((m) => callerPattern(m, file, i + 1));
    const nested = patterns.find((p) => p.kind === 'group');
    if (nested) throw new PolicyError(file, i + 1, `group '${name}' member '${nested.kind === 'group' ? nested.name : ''}' is not a caller id (kind=value) or /regex/; groups do not nest`);
    groups.set(name, [...(groups.get(name) ?? []), ...patterns]);
  }
  return groups;
}
