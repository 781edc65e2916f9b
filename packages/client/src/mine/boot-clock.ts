import { readFileSync, statfsSync } from 'node:fs';

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

/**
 * The boot id the mirror writes for a directory on tmpfs or ramfs: no file
 * there can outlive this boot, so the datasource program need not read
 * /proc/sys/kernel/random/boot_id to check (a read each of its 37 bytes is a
 * sysctl call: a tenth of a millisecond per read, docs/performance.md).
 * An older script compares it with the real id, fails, and uses `date`.
 */
export const thisBootOnly = '-';

const ramFsTypes = new Set([0x01021994 /* tmpfs */, 0x858458f6 /* ramfs */]);

/** True when `dir` is on tmpfs or ramfs (nothing in it survives a reboot); false when unknown. */
export function diesWithBoot(dir: string): boolean {
  try {
    return ramFsTypes.has(statfsSync(dir).type);
  } catch {
    return false;
  }
}

/**
 * The boot clock a mirror in `dir` writes with (read at each call): this
 * boot's, with the id `-` (thisBootOnly) when `dir` is on tmpfs or ramfs.
 */
export function mirrorBootClock(dir: string): () => BootClock | undefined {
  const ram = diesWithBoot(dir);
  return () => {
    const boot = readBootClock();
    return boot !== undefined && ram ? { ...boot, id: thisBootOnly } : boot;
  };
}
