import { matchFilter } from '../../filter/match.js';
import type { NodeView } from '../../filter/types.js';
import type { CallerPattern, Policy, PolicyEffect, PolicyGroups, PolicyRule } from './types.js';

/** The request being authorized. */
export interface PolicySubject {
  readonly callerid: string;
  readonly action: string;
}

/** The result of evaluating one policy: the effect and the rule that decided it (none: the default). */
export interface PolicyMatch {
  readonly effect: PolicyEffect;
  readonly rule: PolicyRule | undefined;
}

function matchesPattern(p: CallerPattern, callerid: string, groups: PolicyGroups): boolean {
  switch (p.kind) {
    case 'caller':
      return p.callerid === callerid;
    case 'regex':
      return p.regex.test(callerid);
    case 'group':
      return (groups.get(p.name) ?? []).some((m) => m.kind !== 'group' && matchesPattern(m, callerid, groups));
  }
}

/** Does `rule` apply to this caller, action and node? */
export function ruleMatches(rule: PolicyRule, subject: PolicySubject, node: NodeView, groups: PolicyGroups): boolean {
  if (rule.callers !== '*' && !rule.callers.some((p) => matchesPattern(p, subject.callerid, groups))) return false;
  if (rule.actions !== '*' && !rule.actions.includes(subject.action)) return false;
  return rule.conditions === null || matchFilter(rule.conditions, node);
}

/**
 * Evaluate a policy: the first matching rule decides; otherwise the file's
 * `policy default`, otherwise `fallback` (security.default_policy).
 */
export function evaluatePolicy(policy: Policy, subject: PolicySubject, node: NodeView, groups: PolicyGroups, fallback: PolicyEffect): PolicyMatch {
  for (const rule of policy.rules) if (ruleMatches(rule, subject, node, groups)) return { effect: rule.effect, rule };
  return { effect: policy.defaultEffect ?? fallback, rule: undefined };
}
