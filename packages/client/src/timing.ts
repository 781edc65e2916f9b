/**
 * Start-up phases of one CLI run, for finding where the time goes
 * (`COHORT_TIMING=1 cohort ...` prints them to stderr at exit). Times are
 * ms since the process started (performance.timeOrigin). Recording is off
 * unless the CLI switches it on, and then costs one array push per phase.
 */
const marks: Array<[string, number]> = [];
let enabled = false;

export function enableTiming(): void {
  enabled = true;
}

/** Record that `phase` ended now; only the first mark of a name counts. */
export function markPhase(phase: string): void {
  if (enabled && !marks.some(([name]) => name === phase)) marks.push([phase, performance.now()]);
}

/** The phases recorded so far, one line each: time since start and since the previous phase. */
export function timingReport(): string {
  let previous = 0;
  return marks
    .map(([name, at]) => {
      const line = `timing: ${at.toFixed(1).padStart(7)} ms  (+${(at - previous).toFixed(1)})  ${name}`;
      previous = at;
      return line;
    })
    .join('\n');
}
