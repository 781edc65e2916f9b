// Idle real cohortd processes: what each costs the machine while nobody asks
// it anything. RSS after settling, and CPU time and wake-ups (context
// switches of all its threads) over a window, read from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './util.mjs';

const ticksPerSecond = 100; // USER_HZ on Linux

/** utime + stime of a process (all threads), in ms; NaN when gone. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/** Voluntary + involuntary context switches summed over a process's threads (each is one wake-up or preemption). */
export function contextSwitches(pid) {
  let sum = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const s = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      sum += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0);
    }
  } catch {
    return NaN;
  }
  return sum;
}

/**
 * Measure idle processes over `windowMs`: per process CPU % of one core and
 * wake-ups per second (medians and means over the processes).
 * @param {number[]} pids
 */
export async function idleCost(pids, windowMs = 60000) {
  const t0 = process.hrtime.bigint();
  const cpu0 = pids.map(cpuMs);
  const cs0 = pids.map(contextSwitches);
  await sleep(windowMs);
  const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuPct = pids.map((pid, i) => ((cpuMs(pid) - cpu0[i]) / elapsedMs) * 100);
  const wakeups = pids.map((pid, i) => ((contextSwitches(pid) - cs0[i]) * 1000) / elapsedMs);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { elapsedMs, cpuPctMean: mean(cpuPct), cpuPctMax: Math.max(...cpuPct), wakeupsPerSecMean: mean(wakeups), processes: pids.length };
}
