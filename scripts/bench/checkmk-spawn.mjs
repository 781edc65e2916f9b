// Datasource programs timed the way Checkmk runs them: its fetcher (cmk/fetchers/_program.py) is Python and
// starts each host's program with subprocess.Popen(cmdline, shell=True, stdout=PIPE, stderr=PIPE,
// close_fds=True) and communicate(). Node's own spawnSync is a poor stand-in here: it costs ~5 ms per child on
// this machine even for /bin/true (its own pipes and loop), against ~1-3 ms from Python.
import { spawn, spawnSync } from 'node:child_process';

const driver = String.raw`
import json, resource, subprocess, sys, time
job = json.load(sys.stdin)
out = {name: {"wall_ms": [], "cpu_ms": [], "failed": 0, "stderr": ""} for name in job["names"]}
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * 1000
for row in job["rounds"]:
    for name, cmdline, expect in row:
        c0 = cpu(); t0 = time.perf_counter()
        p = subprocess.Popen(cmdline, shell=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True)
        stdout, stderr = p.communicate()
        out[name]["wall_ms"].append((time.perf_counter() - t0) * 1000)
        out[name]["cpu_ms"].append(cpu() - c0)
        if p.returncode != 0 or (expect is not None and stdout.decode() != expect):
            out[name]["failed"] += 1
            out[name]["stderr"] = stderr.decode()[:300]
json.dump(out, sys.stdout)
`;

/** True when python3 is on this machine (the driver needs it). */
export function havePython() {
  return spawnSync('python3', ['-c', 'pass']).status === 0;
}

/**
 * Run `rounds` (each a list of [name, shell command line, expected stdout or null]) through Python's
 * subprocess with shell=True, in order; resolves { name: { wall_ms: [], cpu_ms: [], failed, stderr } }
 * (cpu_ms: user + system time of the child and everything it ran, from RUSAGE_CHILDREN).
 */
export function checkmkSpawn(rounds) {
  const names = [...new Set(rounds.flat().map(([name]) => name))];
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', driver], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`checkmk-spawn driver exited ${code}: ${stderr.slice(0, 500)}`))));
    child.stdin.end(JSON.stringify({ names, rounds }));
  });
}

/** Shell-quote one argument for a Checkmk-style command line. */
export function shq(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}
