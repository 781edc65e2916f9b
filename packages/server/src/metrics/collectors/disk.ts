import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { Collector, CollectorEnv, Sample } from './types.js';

/** File systems that hold no user data (or that a statfs could hang on), never reported. */
export const pseudoFilesystems: ReadonlySet<string> = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'tmpfs', 'ramfs', 'cgroup', 'cgroup2', 'securityfs', 'pstore', 'debugfs', 'tracefs',
  'mqueue', 'hugetlbfs', 'configfs', 'fusectl', 'binfmt_misc', 'autofs', 'bpf', 'nsfs', 'rpc_pipefs', 'selinuxfs', 'efivarfs',
  'squashfs', 'nfsd', 'fuse.gvfsd-fuse', 'fuse.portal', 'fuse.lxcfs', 'iso9660', 'udf',
]);

export interface MountEntry {
  readonly device: string;
  readonly mount: string;
  readonly fstype: string;
}

/** `\040` and friends in /proc/mounts. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** The real file systems of /proc/mounts, once per device (bind mounts and repeats skipped). */
export function parseMounts(text: string): MountEntry[] {
  const seen = new Set<string>();
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mount, fstype] = line.split(' ');
    if (!device || !mount || !fstype || pseudoFilesystems.has(fstype)) continue;
    const entry = { device: unescape(device), mount: unescape(mount), fstype };
    // overlay/none devices are named alike; keep them by mount point.
    const key = entry.device.startsWith('/') ? entry.device : `${entry.device}:${entry.mount}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(entry);
  }
  return out;
}

const statfsTimeoutMs = 2000;

/**
 * Per mounted file system (`disk./var.used_pct`): total, free (for
 * unprivileged users), used, used_pct (as df), inodes_total, inodes_free,
 * inodes_used_pct. A file system whose statfs does not answer within 2 s
 * (a dead NFS server) is left out of that sample.
 */
export function diskCollector(env: CollectorEnv): Collector {
  return {
    name: 'disk',
    async collect() {
      const mounts = parseMounts(readFileSync(`${env.proc}/mounts`, 'utf8'));
      const results = await Promise.all(mounts.map((m) => statWithin(m.mount)));
      const out: Sample[] = [];
      mounts.forEach((m, k) => {
        const s = results[k];
        if (!s || s.blocks === 0) return;
        const total = s.blocks * s.bsize;
        const free = s.bavail * s.bsize;
        const used = (s.blocks - s.bfree) * s.bsize;
        // As df: used / (used + available to users).
        const usedPct = used + free > 0 ? Math.round((used / (used + free)) * 10000) / 100 : 0;
        const d = (metric: string, value: number): Sample => ({ group: 'disk', object: m.mount, metric, value });
        out.push(d('total', total), d('free', free), d('used', used), d('used_pct', usedPct));
        if (s.files > 0) out.push(d('inodes_total', s.files), d('inodes_free', s.ffree), d('inodes_used_pct', Math.round(((s.files - s.ffree) / s.files) * 10000) / 100));
      });
      return out;
    },
  };
}

interface StatFs {
  blocks: number;
  bfree: number;
  bavail: number;
  bsize: number;
  files: number;
  ffree: number;
}

function statWithin(path: string): Promise<StatFs | undefined> {
  return new Promise((done) => {
    const timer = setTimeout(() => done(undefined), statfsTimeoutMs);
    timer.unref();
    statfs(path, { bigint: false }).then(
      (s) => {
        clearTimeout(timer);
        done(s);
      },
      () => {
        clearTimeout(timer);
        done(undefined);
      },
    );
  });
}
