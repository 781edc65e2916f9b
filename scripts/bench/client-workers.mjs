// Client processes for the benches that compare builds of the client library
// (client-cpu.mjs, ba.mjs): one child process per build, each answering one
// command line on stdin with one JSON line on stdout, so builds can take
// turns under the same load. The bench script runs itself as the child
// (`--worker DIR`); these are the parts both sides share.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/** `--name` of parseArgs' `values` as a whole number of at least `min`, or an error naming the flag. */
export function wholeNumber(values, name, min) {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be a whole number of at least ${min} (got '${values[name]}')`);
  return v;
}

/**
 * In the child: the build in `dir` ('' = this tree) connected as a client
 * with registry discovery, trusting `issuer`'s node certificates.
 */
export async function connectBuild(dir, natsUrl, issuer) {
  const load = (pkg) => (dir ? import(pathToFileURL(join(dir, 'packages', pkg, 'dist/index.js')).href) : import(`@cohort/${pkg}`));
  const { Client } = await load('client');
  const { TrustStore } = await load('core');
  const nodeTrust = TrustStore.load({ kind: 'node', issuers: [issuer] });
  return Client.connect({ servers: natsUrl, discoveryMethod: 'registry', callerid: 'user=bench', nodeTrust });
}

/** In the child: say it is ready, then answer each stdin line with `answer(line)` as JSON, until a line it declines (undefined). */
export async function serveLines(answer) {
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const reply = await answer(line.trim());
    if (reply === undefined) break;
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
}

/**
 * In the bench: start `script --worker DIR ...args(i, dir)` (with `nodeFlags(i)`)
 * for each build dir, waiting for each one's `ready`. Each worker has
 * `ask(line)`: the JSON answer to one line.
 */
export async function startWorkers(script, dirs, args, nodeFlags = () => []) {
  const workers = [];
  try {
    for (const [i, dir] of dirs.entries()) {
      const child = spawn(process.execPath, [...nodeFlags(i), script, '--worker', dir, ...args(i, dir)], { stdio: ['pipe', 'pipe', 'inherit'] });
      const name = dir || '(this tree)';
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      workers.push({
        dir: name,
        child,
        rows: [],
        async ask(line) {
          child.stdin.write(`${line}\n`);
          const r = await lines.next();
          if (r.done) throw new Error(`client ${name} exited`);
          return JSON.parse(r.value);
        },
      });
      const first = await lines.next();
      if (first.done || first.value !== 'ready') throw new Error(`client ${name} did not start: ${first.value ?? 'exited'}`);
    }
  } catch (err) {
    await stopWorkers(workers);
    throw err;
  }
  return workers;
}

/** End the workers (stdin closed: each one's line loop ends) and wait for them to exit. */
export async function stopWorkers(workers) {
  for (const w of workers) {
    w.child.stdin.end();
    await new Promise((r) => (w.child.exitCode !== null ? r() : w.child.once('exit', r)));
  }
}
