import { readdirSync, readFileSync } from 'node:fs';
import type { Collector, CollectorEnv, Sample } from './types.js';

const stateNames: Readonly<Record<string, string>> = { R: 'running', S: 'sleeping', D: 'blocked', Z: 'zombie', T: 'stopped', t: 'stopped', I: 'idle', X: 'dead' };

/** The state letter of a /proc/<pid>/stat line (after the parenthesised command, which may hold spaces and parentheses). */
export function statState(text: string): string | undefined {
  const close = text.lastIndexOf(')');
  return close < 0 ? undefined : text.slice(close + 2, close + 3) || undefined;
}

/** processes.total, processes.threads and a count per state (running, sleeping, blocked, zombie, stopped, idle). */
export function processesCollector(env: CollectorEnv): Collector {
  return {
    name: 'processes',
    async collect() {
      const counts: Record<string, number> = { running: 0, sleeping: 0, blocked: 0, zombie: 0, stopped: 0, idle: 0 };
      let total = 0;
      for (const name of readdirSync(env.proc)) {
        if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
        let text: string;
        try {
          text = readFileSync(`${env.proc}/${name}/stat`, 'utf8');
        } catch {
          continue; // exited meanwhile
        }
        total++;
        const state = stateNames[statState(text) ?? ''];
        if (state !== undefined && state in counts) counts[state] = (counts[state] ?? 0) + 1;
      }
      // Threads: the 4th field of /proc/loadavg (`running/total`).
      const threads = Number(/\d+\/(\d+)/.exec(readFileSync(`${env.proc}/loadavg`, 'utf8'))?.[1]);
      const out: Sample[] = [{ group: 'processes', metric: 'total', value: total }];
      if (Number.isFinite(threads)) out.push({ group: 'processes', metric: 'threads', value: threads });
      for (const [metric, value] of Object.entries(counts)) out.push({ group: 'processes', metric, value });
      return out;
    },
  };
}
