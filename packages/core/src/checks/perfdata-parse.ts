import type { PerfDatum } from './perfdata.js';

/**
 * Parse Nagios performance data (the text after `|`, as the nrpe agent's
 * parsePluginOutput gives it): space-separated `label=value[UOM];[warn];[crit];[min];[max]`,
 * labels quoted with `'` when they hold spaces (`''` is a quote inside).
 * Items that do not follow the rules (no `=`, a value that is not a number,
 * such as `U`) are left out. Pure; never throws.
 */
export function parsePerfdata(text: string): PerfDatum[] {
  const out: PerfDatum[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text.charAt(i))) i++;
    if (i >= n) break;
    let label = '';
    if (text.charAt(i) === "'") {
      i++;
      for (;;) {
        if (i >= n) break;
        const c = text.charAt(i);
        if (c === "'") {
          if (text.charAt(i + 1) === "'") {
            label += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        label += c;
        i++;
      }
    } else {
      while (i < n && text.charAt(i) !== '=' && !/\s/.test(text.charAt(i))) label += text.charAt(i++);
    }
    if (text.charAt(i) !== '=') {
      while (i < n && !/\s/.test(text.charAt(i))) i++;
      continue;
    }
    i++;
    let rest = '';
    while (i < n && !/\s/.test(text.charAt(i))) rest += text.charAt(i++);
    const datum = perfDatum(label, rest);
    if (datum !== undefined) out.push(datum);
  }
  return out;
}

const valuePattern = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)([a-zA-Z%/]*)$/;

function perfDatum(label: string, rest: string): PerfDatum | undefined {
  if (label === '') return undefined;
  const [value = '', warn, crit, min, max] = rest.split(';');
  const m = valuePattern.exec(value.replace(',', '.'));
  if (!m) return undefined;
  const datum: PerfDatum = { label, value: Number(m[1]) };
  if (m[2]) datum.uom = m[2];
  if (warn) datum.warn = warn;
  if (crit) datum.crit = crit;
  const minN = min ? Number(min.replace(',', '.')) : NaN;
  const maxN = max ? Number(max.replace(',', '.')) : NaN;
  if (Number.isFinite(minN)) datum.min = minN;
  if (Number.isFinite(maxN)) datum.max = maxN;
  return datum;
}
