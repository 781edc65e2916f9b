// The benchmark report as markdown.

const ms = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : 'n/a');
const verdict = (ok) => (ok ? 'met' : 'MISSED');

/** Targets from the issue, checked against the measured sizes. */
export function targets(sizes, cohortd) {
  const cohortdRssKb = cohortd?.rssKb;
  const at = (n) => sizes.find((s) => s.n === n);
  const out = [];
  const ratio = (n, max) => {
    const s = at(n);
    if (s) out.push([`b/a <= ${max} at ${n} nodes`, (s.library.median / s.floor.median).toFixed(2), verdict(s.library.median / s.floor.median <= max)]);
  };
  ratio(1000, 1.5);
  ratio(10000, 2);
  for (const [n, max] of [[250, 300], [500, 450]]) {
    const s = at(n);
    if (s) out.push([`(c) CLI under ${max} ms at ${n} nodes`, `${ms(s.cli.median)} ms`, verdict(s.cli.median < max)]);
  }
  const big = at(10000);
  if (big) out.push(['10,000 nodes answered, none lost', `${big.library.lost + big.cli.lost} lost`, verdict(big.library.lost + big.cli.lost === 0)]);
  if (cohortdRssKb) out.push(['idle cohortd under 60 MB RSS', `${(cohortdRssKb / 1024).toFixed(1)} MB`, verdict(cohortdRssKb < 60 * 1024)]);
  return out;
}

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function renderReport({ env, sizes, startup, cohortd, pipelineUs, registryVerify, runs, warmup }) {
  const cohortdRssKb = cohortd?.rssKb;
  const parts = [];
  parts.push(`# Cohort benchmark (${env.date})`);
  parts.push(
    `Machine: ${env.cpus} × ${env.cpuModel}, ${env.memGb} GB RAM; Node ${env.node}; ${env.natsServer}; load average before the run ${env.loadBefore.toFixed(2)}.\n` +
      `Each figure is the median of ${runs} requests after ${warmup} warm-up requests. Virtual nodes: cohort-sim (cohortd's pipeline, unsigned requests), ` +
      `spread over processes of at most ${env.perProcess} nodes; the floor's raw nats.js responders use the same split. Times in ms.`,
  );
  parts.push(
    table(
      ['N', '(a) floor: raw nats.js scatter-gather', '(b) library, registry discovery', 'b/a', '(c) `cohort rpc rpcutil ping` wall time', '(d) broadcast discovery (300 ms window)', 'replies lost a/b/c/d', 'RSS per virtual node', 'client CPU per 1,000 replies', 'load'],
      sizes.map((s) => [
        String(s.n),
        ms(s.floor.median),
        ms(s.library.median),
        (s.library.median / s.floor.median).toFixed(2),
        ms(s.cli.median),
        ms(s.broadcast.median),
        `${s.floor.lost}/${s.library.lost}/${s.cli.lost}/${s.broadcast.lost}`,
        `${s.rssPerNodeKb.toFixed(0)} kB`,
        `${ms(s.library.cpuMsPer1000)} ms`,
        s.load.toFixed(2),
      ]),
    ),
  );
  const seq = sizes.find((s) => s.sequential);
  const lines = [];
  if (seq) lines.push(`- Sequential requests at N = 100 (library, registry discovery): **${seq.sequential.perSecond.toFixed(0)} requests/s** (${seq.sequential.count} requests, ${seq.sequential.lost} replies lost).`);
  if (cohortdRssKb) {
    lines.push(
      `- Idle RSS of a real \`cohortd\` (run as an executable, default settings, registered, 5 s after start): **${(cohortdRssKb / 1024).toFixed(1)} MB**, ` +
        `of which ${(cohortd.anonKb / 1024).toFixed(1)} MB private (the rest is the node binary's pages, shared by every node process).`,
    );
  }
  if (pipelineUs) lines.push(`- cohortd's request pipeline alone (\`Processor\`: decode, filter, validate, dispatch, reply; no network): **${pipelineUs.toFixed(1)} µs CPU** per \`rpcutil ping\`.`);
  if (registryVerify) {
    const v = registryVerify;
    lines.push(
      `- Reading ${v.n.toLocaleString('en-US')} signed registry records (what a new \`cohort\` process does before registry discovery; no network): ` +
        `**${v.perNodeKeysMs.toFixed(0)} ms** verified with a key and certificate per node, ${v.sharedKeyMs.toFixed(0)} ms with one key certified for every node (cohort-sim), ` +
        `${v.unverifiedMs.toFixed(0)} ms without verification.`,
    );
  }
  if (lines.length) parts.push(lines.join('\n'));
  const t = targets(sizes, cohortd);
  if (t.length) parts.push(`## Targets\n\n${table(['target', 'measured', ''], t)}`);
  if (startup.length) {
    parts.push(
      `## CLI start-up and small real fleets (real cohortd processes, unsigned)\n\n` +
        table(['benchmark', 'median', 'min', 'max', 'target'], startup.map((r) => [r.name, `${ms(r.median)} ms`, `${ms(Math.min(...r.samples))} ms`, `${ms(Math.max(...r.samples))} ms`, r.target ? `< ${r.target} ms (${verdict(r.median < r.target)})` : ''])),
    );
  }
  return `${parts.join('\n\n')}\n`;
}
