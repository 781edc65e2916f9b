import { checkEventTag, checkNamePattern, checkStates, type CheckState } from '@cohort/core';

/**
 * Shape checks of what nodes publish about checks (the contract in
 * @cohort/core checks/types.ts), run on signed data after its signature
 * verified and before any field is used: a record that passes may be used as
 * a CheckStateRecord / CheckEvent. Each returns the reason to refuse, or
 * undefined.
 */

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isState(v: unknown): v is CheckState {
  return typeof v === 'string' && (checkStates as readonly string[]).includes(v);
}

function perfdataProblem(v: unknown, where: string): string | undefined {
  if (!Array.isArray(v)) return `${where} perfdata is not a list`;
  for (const p of v) {
    if (!isObject(p) || typeof p['label'] !== 'string' || !isNumber(p['value'])) return `${where} perfdata holds an entry without a label and a numeric value`;
  }
  return undefined;
}

function maintenanceProblem(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || !isNumber(v['until']) || typeof v['reason'] !== 'string' || typeof v['by'] !== 'string') return 'the maintenance window needs until (unix ms), reason and by';
  return undefined;
}

/** Is `v` a usable CheckStateRecord? */
export function checkStateProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'the state record is not an object';
  if (typeof v['identity'] !== 'string' || v['identity'] === '') return 'the state record names no identity';
  if (typeof v['check'] !== 'string' || !checkNamePattern.test(v['check'])) return 'the state record names no valid check';
  if (typeof v['kind'] !== 'string') return 'the state record has no kind';
  if (!isState(v['state'])) return `the state record's state '${String(v['state']).slice(0, 32)}' is not one of ${checkStates.join(', ')}`;
  if (typeof v['hard'] !== 'boolean') return "the state record's hard is not true or false";
  for (const k of ['attempt', 'retries', 'since', 'sequence']) if (!isNumber(v[k])) return `the state record's ${k} is not a number`;
  if (!isNumber(v['interval']) || v['interval'] <= 0) return "the state record's interval is not a positive number of seconds";
  if (v['last_run'] !== null && !isNumber(v['last_run'])) return "the state record's last_run is neither a time nor null";
  if (typeof v['output'] !== 'string') return "the state record's output is not text";
  if (typeof v['source'] !== 'string') return 'the state record has no source';
  const perf = perfdataProblem(v['perfdata'], "the state record's");
  if (perf !== undefined) return perf;
  if (!Array.isArray(v['history'])) return "the state record's history is not a list";
  for (const r of v['history']) {
    if (!isObject(r) || !isState(r['state']) || typeof r['output'] !== 'string' || !isNumber(r['time'])) return "the state record's history holds a result without state, output and time";
  }
  return maintenanceProblem(v['maintenance']);
}

/** Is `v` a usable CheckEvent (`cohort:check-event:1`)? */
export function checkEventProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'the event is not an object';
  if (v['protocol'] !== checkEventTag) return `the event's protocol is '${String(v['protocol']).slice(0, 64)}', expected '${checkEventTag}'`;
  for (const k of ['id', 'collective', 'identity']) if (typeof v[k] !== 'string' || v[k] === '') return `the event has no ${k}`;
  if (typeof v['check'] !== 'string' || !checkNamePattern.test(v['check'])) return 'the event names no valid check';
  if (!isState(v['state']) || !isState(v['previous'])) return "the event's state or previous state is not a check state";
  if (typeof v['hard'] !== 'boolean') return "the event's hard is not true or false";
  for (const k of ['sequence', 'time', 'interval']) if (!isNumber(v[k])) return `the event's ${k} is not a number`;
  if (typeof v['output'] !== 'string') return "the event's output is not text";
  const perf = perfdataProblem(v['perfdata'], "the event's");
  if (perf !== undefined) return perf;
  if (!Array.isArray(v['handlers']) || v['handlers'].some((h) => typeof h !== 'string')) return "the event's handlers are not a list of names";
  return maintenanceProblem(v['maintenance']);
}
