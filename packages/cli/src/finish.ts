/**
 * Work a run leaves for its end, after the command's answer is out (the
 * signatures file is saved here). main() runs it on every path; kept free
 * of imports so that main's own start-up loads nothing more for it.
 */
const pending: Array<() => string[]> = [];

/** Run `fn` when the run finishes; it returns lines for COHORT_TIMING's report. */
export function atFinish(fn: () => string[]): void {
  pending.push(fn);
}

/** Run (and forget) what was left for the end; never throws. Returns the lines they reported. */
export function finishRun(): string[] {
  const lines: string[] = [];
  for (const fn of pending.splice(0)) {
    try {
      lines.push(...fn());
    } catch {
      // a cache that cannot be written is just not there next time
    }
  }
  return lines;
}
