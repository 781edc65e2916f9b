#!/usr/bin/env node
// The demo: a private nats-server on a free port, five cohortd nodes with the
// example facts (examples/fleet/nodes) and the example echo agent, and a short
// scripted tour of real `cohort` commands against them. The nodes run in
// signed mode with throwaway keys made in the fleet's temp dir (an issuer,
// the operator's certified key, certified node keys) and actionpolicy files;
// the CLI signs with the operator key (COHORT_KEY).
//
//   node scripts/demo.mjs          run the tour, then stop everything
//   node scripts/demo.mjs --keep   run the tour, then keep the fleet up until Ctrl-C
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startNatsServer, cohortBin, exampleClientConfig, loadNodeDescriptors, repoRoot, startFleet } from './harness.mjs';

const keep = process.argv.includes('--keep');
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

const tour = [
  ['Who is out there?', ['ping']],
  ['Find the web servers (fact filter)', ['find', '-F', 'role=web']],
  ['Numeric comparison on a typed fact', ['find', '-F', 'cpus>=10']],
  ['Nested facts: which OS families, and how many of each?', ['facts', 'os.family']],
  ['Classes and facts together with -W', ['find', '-W', 'mysql environment=production']],
  ['A compound filter', ['find', '-S', '(role=web and country=de) or os.family=redhat']],
  ['An RPC with an aggregate summary', ['rpc', 'rpcutil', 'get_fact', 'fact=os.release']],
  ['The custom example agent, on the German nodes only', ['rpc', 'echo', 'echo', 'message=hello from cohort', '-F', 'country=de', '--display', 'all']],
  ['Machine-readable output', ['rpc', 'rpcutil', 'ping', '-I', 'web1', '--json']],
  ['Invalid input is refused before anything is sent (exit 2)', ['rpc', 'echo', 'sleep', 'seconds=soon'], 2],
  ['What does a node know about itself? (from the registry, instantly)', ['inventory', 'db1']],
  ['The registry: every node publishes its inventory; -v says how nodes were found', ['rpc', 'rpcutil', 'ping', '-F', 'role=db', '-v', '--display', 'none']],
  ['Only the node can answer fstat(): discovery falls back to broadcast, and -v says why', ['find', '-S', "fstat('/etc/hosts').size>0", '-v']],
  ['A Nagios check of the registry: stale or missing nodes', ['registry', 'check']],
  ['Signed requests; replies checked against the issuer too', ['rpc', 'rpcutil', 'ping', '-I', 'web1', '-I', 'db1', '--verify-replies']],
  ['Authorization: the policy allows echo#echo but not echo#fail for this operator (status 1, exit 1)', ['rpc', 'echo', 'fail', '-I', 'web1'], 1],
  ['Push a plugin to the fleet: signed with your key; every node verifies it and loads it without a restart', ['plugin', 'push', 'examples/plugins/hello']],
  // Waits (quietly, up to 20 s) until every node runs it: nodes install within about a second.
  ['What the fleet runs: the desired version, per node, drift', ['plugin', 'ls'], 0, { waitFor: 20 }],
  ['The new agent answers everywhere', ['rpc', 'hello', 'greet', 'name=operator', '--ddl-dir', 'examples/plugins/hello']],
];

// rpcutil for every trusted caller; echo's echo and sleep for the operator; everything else denied.
const policies = {
  'rpcutil.policy': 'policy default allow\n',
  'echo.policy': 'policy default deny\nallow\tuser=operator\techo sleep\t*\t*\n',
  // The operator may push plugins (plugin#push) and call the example plugin.
  'plugin.policy': 'policy default deny\nallow\tuser=operator\tpush\t*\t*\n',
  'hello.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
};

// JetStream on: the nodes keep their inventory in the registry (a key-value bucket).
const nats = await startNatsServer({ jetstream: true });
let fleet;
const shutdown = async () => {
  await fleet?.stop();
  await nats.stop();
};
process.on('SIGINT', () => shutdown().then(() => process.exit(130)));
try {
  const nodes = loadNodeDescriptors();
  console.log(bold(`Starting nats-server on ${nats.url} and ${nodes.length} cohortd nodes: ${nodes.map((n) => n.identity).join(', ')}`));
  fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes, secure: { policies }, registry: true, config: { plugin_sync: true } });
  const env = { ...process.env, COHORT_NATS: nats.url, COHORT_CONFIG: exampleClientConfig, ...fleet.clientEnv };
  let unexpected = 0;
  for (const [title, args, expected = 0, { waitFor = 0 } = {}] of tour) {
    for (const until = Date.now() + waitFor * 1000; Date.now() < until; ) {
      if (spawnSync(process.execPath, [cohortBin, ...args], { cwd: repoRoot, env, stdio: 'ignore' }).status === expected) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`\n${bold(`# ${title}`)}\n${bold(`$ cohort ${args.map((a) => (/[\s()'<>=!]/.test(a) && !/^[\w.-]+=[\w.%-]*$/.test(a) ? (a.includes("'") ? `"${a}"` : `'${a}'`) : a)).join(' ')}`)}`);
    const r = spawnSync(process.execPath, [cohortBin, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) console.log(`(exit code ${r.status})`);
    if (r.status !== expected) unexpected++;
  }
  if (unexpected) {
    console.error(`\n${unexpected} tour command(s) did not exit as expected`);
    process.exitCode = 1;
  }
  if (keep) {
    console.log(`\n${bold('The fleet is still running. In another terminal:')}\n  export PATH=${join(repoRoot, 'node_modules/.bin')}:$PATH COHORT_NATS=${nats.url} COHORT_CONFIG=${exampleClientConfig} COHORT_KEY=${fleet.clientEnv.COHORT_KEY}\n  cohort ping\nPress Ctrl-C here to stop it.`);
    await new Promise(() => {});
  }
} catch (err) {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  if (!keep) await shutdown();
}
