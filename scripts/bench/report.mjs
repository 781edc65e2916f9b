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

/** Issue 14's targets for fleets of real daemons. */
export function realFleetTargets(real) {
  const out = [];
  for (const r of real) {
    const limit = r.n <= 50 ? 250 : 500;
    out.push([`\`cohort rpc rpcutil ping\`, ${r.n} real daemons, registry discovery`, `${ms(r.registry)} ms`, `<= ${limit} ms (${verdict(r.registry <= limit)})`]);
    const ai = r.registryAfterIdle;
    if (ai?.earlier !== undefined) out.push([`... the first run after ${ai.seconds.toFixed(0)} s idle (records rewritten since are checked again)`, `${ms(ai.ms)} ms (${ai.earlier} signatures from the file, ${ai.fresh} checked)`, `<= ${limit} ms (${verdict(ai.ms <= limit)})`]);
    if (r.registryCold !== undefined) out.push([`... with \`COHORT_SIGNATURE_CACHE=off\` (every certificate and record checked, as in a user's first run)`, `${ms(r.registryCold)} ms`, `<= ${limit} ms (${verdict(r.registryCold <= limit)})`]);
    out.push([`\`cohort rpc rpcutil ping\`, ${r.n} real daemons, --nodes`, `${ms(r.nodesFile)} ms`, r.n <= 50 ? `<= 250 ms (${verdict(r.nodesFile <= 250)})` : `<= 500 ms (${verdict(r.nodesFile <= 500)}); MCollective 2.12.5 with a node list took 2,660 ms here: ${(2660 / r.nodesFile).toFixed(1)}x`]);
    if (r.firstRequestNodes !== undefined) out.push([`process start to the first request on the wire (\`COHORT_TIMING=1\`), ${r.n} real daemons: --nodes; registry discovery`, `${ms(r.firstRequestNodes)} ms; ${ms(r.firstRequestRegistry)} ms`, `<= 150 ms (${verdict(r.firstRequestNodes <= 150)}; ${verdict(r.firstRequestRegistry <= 150)})`]);
    if (r.firstRequestRegistryCold !== undefined) out.push([`... registry discovery with \`COHORT_SIGNATURE_CACHE=off\``, `${ms(r.firstRequestRegistryCold)} ms`, `<= 150 ms (${verdict(r.firstRequestRegistryCold <= 150)})`]);
    out.push([`idle cohortd RSS (mean of ${r.n})`, `${(r.rssKb / 1024).toFixed(1)} MB (${(r.anonKb / 1024).toFixed(1)} MB private)`, `<= 45 MB (${verdict(r.rssKb <= 45 * 1024)})`]);
    if (r.floor !== undefined) out.push([`... the floor: ${r.n} plain nats.js responders in their place, signing their replies, no Cohort code (cohortd's V8 flags; mean)`, `${(r.floor.rssKb / 1024).toFixed(1)} MB (${(r.floor.anonKb / 1024).toFixed(1)} MB private)`, `cohortd ${((r.rssKb - r.floor.rssKb) / 1024).toFixed(1)} MB above it`]);
    out.push([`idle cohortd CPU over ${(r.idle.elapsedMs / 1000).toFixed(0)} s (mean of ${r.n})`, `${r.idle.cpuPctMean.toFixed(3)} % of a core, ${r.idle.wakeupsPerSecMean.toFixed(2)} wake-ups/s`, `<= 0.05 % (${verdict(r.idle.cpuPctMean <= 0.05)})`]);
    out.push([`CPU per request per daemon (${r.n} daemons)`, `${r.perRequestCpuMs.toFixed(2)} ms`, `<= 0.5 ms (${verdict(r.perRequestCpuMs <= 0.5)})`]);
    if (r.floor !== undefined) out.push([`... the floor: the same ${r.n} plain responders, asked all at once as often and as far apart`, `${r.floor.perRequestCpuMs.toFixed(2)} ms`, `cohortd ${(r.perRequestCpuMs / r.floor.perRequestCpuMs).toFixed(2)}x`]);
  }
  return out;
}

/** The real-fleet rows as markdown. */
export function renderRealFleets(real) {
  if (!real?.length) return '';
  return (
    `## Real cohortd fleets (the executable with its V8 flags, unsigned, one machine)\n\n` +
    table(
      ['daemons', '`node -e 0`', 'ping, registry discovery (signatures file off)', 'ratio', 'ping, --nodes', 'ratio', 'idle RSS / daemon (private)', 'idle CPU / daemon', 'wake-ups/s / daemon', 'CPU per request per daemon', 'load'],
      real.map((r) => [
        String(r.n),
        r.nodeStartBare === undefined ? `${ms(r.nodeStart)} ms` : `${ms(r.nodeStart)} ms (${ms(r.nodeStartBare)} ms without NODE_EXTRA_CA_CERTS)`,
        r.registryCold === undefined ? `${ms(r.registry)} ms` : `${ms(r.registry)} ms (${ms(r.registryCold)} ms)`,
        (r.registry / r.nodeStart).toFixed(2),
        `${ms(r.nodesFile)} ms`,
        (r.nodesFile / r.nodeStart).toFixed(2),
        `${(r.rssKb / 1024).toFixed(1)} MB (${(r.anonKb / 1024).toFixed(1)} MB)`,
        `${r.idle.cpuPctMean.toFixed(3)} % (max ${r.idle.cpuPctMax.toFixed(3)} %)`,
        r.idle.wakeupsPerSecMean.toFixed(2),
        `${r.perRequestCpuMs.toFixed(2)} ms`,
        r.load.toFixed(2),
      ]),
    ) +
    `\n\n${real
      .filter((r) => r.incomplete > 0)
      .map((r) => `- ${r.n} daemons: ${r.incomplete} CLI run(s) ended with nodes that did not answer in time (exit 1), e.g. ${r.incompleteDetail}`)
      .join('\n')}` +
    `\n\n${table(['target (issue 14)', 'measured', ''], realFleetTargets(real))}`
  );
}

export function renderReport({ env, sizes, startup, cohortd, pipelineUs, registryVerify, runs, warmup, real }) {
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
  const fleets = renderRealFleets(real);
  if (fleets) parts.push(fleets);
  return `${parts.join('\n\n')}\n`;
}
