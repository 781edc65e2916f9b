// Idle real cohortd processes: what each costs the machine while nobody asks
// it anything. RSS after settling, and CPU time and wake-ups (context
// switches of all its threads) over a window, read from /proc.
// CPU time comes from the scheduler's per-thread runtime (cpuMs).
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './util.mjs';

/**
 * CPU time of a process, all its threads, in ms (ns resolution); NaN when gone.
 *
 * The sum over /proc/PID/task/TID/schedstat of the first field (time on a
 * CPU, in ns, from the scheduler's exact runtime accounting): /proc/PID/stat's
 * utime + stime is the same runtime rounded to clock ticks (10 ms), too coarse
 * for a process that spends 20 ms over a measurement, and /proc/PID/schedstat
 * alone is the main thread only (V8's GC and compiler threads, libuv's pool
 * are the others). Threads that have exited are no longer counted: Node's
 * threads live as long as the process, so deltas stay true for cohortd.
 */
export function cpuMs(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return NaN;
  }
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread exited between the listing and the read
    }
  }
  return ns / 1e6;
}

/** Minor page faults of a process (all threads; a fresh or given-back page touched), NaN when gone. */
export function minorFaults(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  } catch {
    return NaN;
  }
}

const ticksPerSecond = 100; // USER_HZ on Linux

/** utime + stime of a process (all threads, live and exited), in ms at clock-tick resolution (10 ms); NaN when gone. */
export function tickCpuMs(pid) {
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
