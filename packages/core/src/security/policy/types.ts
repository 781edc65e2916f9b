import type { Filter } from '../../filter/types.js';

/** What a policy rule or default decides. */
export type PolicyEffect = 'allow' | 'deny';

/** One entry of a rule's callers field. */
export type CallerPattern =
  | { readonly kind: 'caller'; readonly callerid: string }
  | { readonly kind: 'regex'; readonly regex: RegExp; readonly source: string }
  | { readonly kind: 'group'; readonly name: string };

/**
 * One `allow|deny <callers> <actions> <facts> <classes>` line (or
 * `allow|deny <callers> <actions> <compound>`). `'*'` matches anything.
 */
export interface PolicyRule {
  readonly effect: PolicyEffect;
  readonly callers: '*' | readonly CallerPattern[];
  readonly actions: '*' | readonly string[];
  /** Facts, classes and/or a compound expression the node must match; null when all are `*`. */
  readonly conditions: Filter | null;
  /** 1-based line number in the policy file. */
  readonly line: number;
}

/** A parsed actionpolicy file. */
export interface Policy {
  readonly file: string;
  /** From `policy default allow|deny`; undefined when the file has no such line. */
  readonly defaultEffect: PolicyEffect | undefined;
  readonly rules: readonly PolicyRule[];
}

/** Caller groups from the `groups` file: group name → members (caller ids or `/regex/`). */
export type PolicyGroups = ReadonlyMap<string, readonly CallerPattern[]>;

/** The outcome of authorizing one request. */
export interface PolicyDecision {
  readonly allowed: boolean;
  /** Why, naming the policy file and line (or the default that applied). */
  readonly reason: string;
}
