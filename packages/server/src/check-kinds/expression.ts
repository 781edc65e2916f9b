/**
 * The `expression` check kind: `critical_if` and `warning_if` rules over the
 * collector metrics and the check's vars (`load.load1 > crit`), and an
 * optional output template (`load is {{ load.load1 }}`), in the expression
 * language of @cohort/core (never JavaScript). The first rule that is true
 * sets the state; none: ok. A rule that cannot be evaluated (an unknown
 * metric, a type error) makes the result unknown with the reason.
 */
import { BoundedCache, errorMessage, evaluate, ExpressionError, formatValue, parseExpression, parseTemplate, renderTemplate, truthy, type CheckDefinition, type CheckResult, type Expression, type HostFunction, type PerfDatum, type Scope, type Template, type Value } from '@cohort/core';
import type { CheckKindRunner, CheckRunContext } from './types.js';

export interface ExpressionKindDeps {
  /** Host functions (grep, fact, metric; see metrics/functions.ts). */
  readonly functions?: Readonly<Record<string, HostFunction>>;
  /** Bring the collectors' metrics up to date before a run (they are sampled on demand when no exporter needs a steady series). */
  readonly fresh?: () => Promise<void>;
}

type Outcome = CheckResult['state'];
const stateWord: Readonly<Record<Outcome, string>> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' };

/** Create the expression kind. Parsed rules and templates are cached by their text. */
export function createExpressionKind(deps: ExpressionKindDeps = {}): CheckKindRunner {
  const exprs = new BoundedCache<string, Expression>(512);
  const templates = new BoundedCache<string, Template>(256);
  const expr = (src: string) => exprs.get(src) ?? exprs.set(src, parseExpression(src));
  const template = (src: string) => templates.get(src) ?? templates.set(src, parseTemplate(src));

  return {
    async run(def: CheckDefinition, ctx: CheckRunContext): Promise<CheckResult> {
      const started = ctx.clock();
      const finish = (state: Outcome, output: string, perfdata: PerfDatum[] = []): CheckResult => ({ state, output, perfdata, time: ctx.clock(), duration_ms: ctx.clock() - started });
      if (!def.critical_if && !def.warning_if) return finish('unknown', `check ${def.name} has neither critical_if nor warning_if`);
      await deps.fresh?.();
      const metrics = ctx.metrics();
      let state: Outcome = 'ok';
      const scope: Scope = {
        lookup: (name) => (Object.hasOwn(def.vars, name) ? (def.vars[name] as Value) : name === 'state' ? stateWord[state] : metrics.get(name)),
        ...(deps.functions ? { functions: deps.functions } : {}),
      };
      const names = new Set<string>();
      let firing: string | undefined;
      try {
        for (const [rule, outcome] of [
          [def.critical_if, 'critical'],
          [def.warning_if, 'warning'],
        ] as const) {
          if (!rule) continue;
          const e = expr(rule);
          for (const n of e.names) names.add(n);
          if (ctx.signal.aborted) return finish('unknown', 'timed out');
          if (state === 'ok' && truthy(await evaluate(e, scope))) {
            state = outcome;
            firing = rule;
          }
        }
        const t = def.output ? template(def.output) : undefined;
        for (const n of t?.names ?? []) names.add(n);
        const perfdata = [...names].filter((n) => !Object.hasOwn(def.vars, n) && metrics.has(n)).map((n) => ({ label: n, value: metrics.get(n) as number }));
        const output = t ? await renderTemplate(t, scope) : defaultOutput(state, firing, perfdata);
        return finish(state, output, perfdata);
      } catch (err) {
        return finish('unknown', err instanceof ExpressionError ? err.message : `cannot evaluate: ${errorMessage(err)}`);
      }
    },
  };
}

function defaultOutput(state: Outcome, firing: string | undefined, perfdata: readonly PerfDatum[]): string {
  const values = perfdata.map((p) => `${p.label}=${formatValue(p.value)}`).join(', ');
  const word = stateWord[state];
  return firing ? `${word}: ${firing}${values ? ` (${values})` : ''}` : `${word}${values ? `: ${values}` : ''}`;
}
