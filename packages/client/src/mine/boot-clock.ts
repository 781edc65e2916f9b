import { readFileSync } from 'node:fs';

/**
 * This boot's clock as the datasource program (cohort-mine-cat, a sh script)
 * can read it without starting `date`: the boot's id and the wall-clock time
 * it started at, from /proc/sys/kernel/random/boot_id and /proc/uptime.
 * The mirror writes each value's times in seconds since boot too, so the
 * script judges a file's age with two `read`s instead of a `date` process.
 */
export interface BootClock {
  /** /proc/sys/kernel/random/boot_id: a file written in another boot is judged by the wall clock. */
  readonly id: string;
  /** Wall-clock unix ms when this boot started (now − uptime). */
  readonly startedMs: number;
}

const bootIdFile = '/proc/sys/kernel/random/boot_id';
const uptimeFile = '/proc/uptime';

/**
 * This boot's clock, read now (the wall clock may be stepped, so callers read
 * it for each file they write); undefined where there is no /proc (not
 * Linux): the script then uses `date`.
 */
export function readBootClock(wallNow: number = Date.now()): BootClock | undefined {
  try {
    const id = readFileSync(bootIdFile, 'utf8').trim();
    const uptimeS = Number(readFileSync(uptimeFile, 'utf8').split(' ', 1)[0]);
    if (!/^[0-9a-f-]{1,64}$/.test(id) || !Number.isFinite(uptimeS)) return undefined;
    return { id, startedMs: wallNow - Math.round(uptimeS * 1000) };
  } catch {
    return undefined;
  }
}
