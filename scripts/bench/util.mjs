// Small helpers shared by the benchmark modules.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process in kB (from /proc), 0 when unknown. */
export function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Private (anonymous) resident memory of a process in kB, 0 when unknown. */
export function anonKb(pid) {
  try {
    const m = /RssAnon:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** 1-minute load average. */
export function loadAverage() {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/**
 * Spawn a long-running helper and wait for a stdout line starting with `ready`;
 * resolves to { child, line, stop() }.
 */
export async function startReady(cmd, args, { timeoutMs = 600000, env } = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: env ?? process.env });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} not ready within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.startsWith('ready')) {
        clearTimeout(timer);
        resolve(l);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code} before it was ready`));
    });
  });
  return {
    child,
    line,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The words of an executable's shebang line (`#!/usr/bin/env -S [VAR=value ...] node FLAGS`). */
export function shebangWords(bin) {
  return readFileSync(bin, 'utf8').split('\n')[0].split(/\s+/);
}

/** The V8 flags on an executable's shebang line, as executing it passes them to node. */
export function shebangFlags(bin) {
  return shebangWords(bin).filter((w) => w.startsWith('--'));
}
