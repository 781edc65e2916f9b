import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import type { NodeView } from '../../filter/types.js';
import { Refreshing } from '../refreshing.js';
import { evaluatePolicy } from './evaluate.js';
import { parseGroups, parsePolicy, PolicyError } from './parse.js';
import type { Policy, PolicyDecision, PolicyEffect, PolicyGroups } from './types.js';

/** Where policies live and what applies without one. */
export interface PolicyStoreOptions {
  /** Directory of `<agent>.policy` files, an optional `default.policy` and an optional `groups` file. */
  dir: string;
  /** Applies when neither `<agent>.policy` nor `default.policy` exists, and to files without `policy default`. */
  defaultEffect: PolicyEffect;
  /** Told when a policy or groups file fails to parse (the request is then denied). */
  onError?: (err: unknown) => void;
  /** How often files are checked for changes, ms (default 2000). */
  refreshMs?: number;
}

type Loaded = Policy | PolicyError | undefined;

function loadPolicy(file: string): Loaded {
  if (!existsSync(file)) return undefined;
  try {
    return parsePolicy(readFileSync(file, 'utf8'), file);
  } catch (err) {
    return err instanceof PolicyError ? err : new PolicyError(file, 0, `cannot read: ${errorMessage(err)}`);
  }
}

/**
 * Authorization by actionpolicy files, read on first use and re-read when
 * they change (checked at most every couple of seconds, never per request).
 * A policy file that does not parse denies every request to its agent (fail
 * closed) and is reported through `onError`.
 */
export class PolicyStore {
  readonly #o: PolicyStoreOptions;
  readonly #files = new Map<string, Refreshing<Loaded>>();
  readonly #groups: Refreshing<PolicyGroups | PolicyError>;
  readonly #groupsFile: string;

  constructor(options: PolicyStoreOptions) {
    this.#o = options;
    this.#groupsFile = join(options.dir, 'groups');
    const file = this.#groupsFile;
    this.#groups = new Refreshing<PolicyGroups | PolicyError>({
      load: () => {
        if (!existsSync(file)) return new Map();
        try {
          return parseGroups(readFileSync(file, 'utf8'), file);
        } catch (err) {
          const e = err instanceof PolicyError ? err : new PolicyError(file, 0, `cannot read: ${errorMessage(err)}`);
          options.onError?.(e);
          return e;
        }
      },
      paths: () => [file],
      intervalMs: options.refreshMs ?? 2000,
    });
  }

  /** Is `callerid` allowed to call `agent#action` on this node? */
  decide(agent: string, action: string, callerid: string, node: NodeView, now: number = Date.now()): PolicyDecision {
    const who = `${callerid} calling ${agent}#${action}`;
    const own = this.#load(`${agent}.policy`, now);
    const loaded = own ?? this.#load('default.policy', now);
    if (loaded instanceof PolicyError) return { allowed: false, reason: `denied (${who}): policy file ${loaded.file} is invalid, so everything it covers is denied: ${loaded.message}` };
    if (loaded === undefined) {
      const allowed = this.#o.defaultEffect === 'allow';
      return { allowed, reason: `${allowed ? 'allowed' : 'denied'} (${who}): no ${agent}.policy or default.policy in ${this.#o.dir}; security.default_policy is ${this.#o.defaultEffect}` };
    }
    const groups = this.#groups.get(now);
    if (groups instanceof PolicyError) return { allowed: false, reason: `denied (${who}): groups file ${groups.file} is invalid: ${groups.message}` };
    const match = evaluatePolicy(loaded, { callerid, action }, node, groups, this.#o.defaultEffect);
    const allowed = match.effect === 'allow';
    const where = match.rule
      ? `${loaded.file} line ${match.rule.line}`
      : `${loaded.file} (${loaded.defaultEffect ? `policy default ${loaded.defaultEffect}` : `no matching rule; security.default_policy is ${this.#o.defaultEffect}`})`;
    return { allowed, reason: `${allowed ? 'allowed' : 'denied'} by ${where}: ${who}` };
  }

  #load(name: string, now: number): Loaded {
    let entry = this.#files.get(name);
    if (!entry) {
      const file = join(this.#o.dir, name);
      entry = new Refreshing<Loaded>({
        load: () => {
          const loaded = loadPolicy(file);
          if (loaded instanceof PolicyError) this.#o.onError?.(loaded);
          return loaded;
        },
        paths: () => [file],
        intervalMs: this.#o.refreshMs ?? 2000,
        now,
      });
      this.#files.set(name, entry);
    }
    return entry.get(now);
  }
}
