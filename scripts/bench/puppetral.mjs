// puppetral: a warm `find` through the client library against one real cohortd
// with real Puppet (issue 4 target: < 300 ms). The first call starts the node's
// Puppet helper; the timed calls after it are warm. Puppet's vardir, confdir and
// codedir, and the hosts file read, live in a temp dir.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, startFleet, syntheticNodes } from '../harness.mjs';
import { median } from './util.mjs';

/** Rows ({ name, samples, median, target }) in the start-up table; none when Puppet is not installed. */
export async function puppetralRows(runs, log = () => undefined) {
  if (!existsSync('/usr/bin/puppet') && !existsSync('/opt/puppetlabs/bin/puppet')) {
    log('puppetral row skipped: Puppet is not installed');
    return [];
  }
  const { Client } = await import('@cohort/client');
  const sandbox = mkdtempSync(join(tmpdir(), 'cohort-bench-puppet-'));
  const target = join(sandbox, 'hosts');
  writeFileSync(target, '10.0.0.1\tbench-host\n');
  const settings = { vardir: join(sandbox, 'var'), confdir: join(sandbox, 'etc'), codedir: join(sandbox, 'code') };
  const nats = await startNatsServer();
  let fleet;
  let client;
  try {
    // Unsigned, like the other small-fleet rows: this measures the node and Puppet, not Ed25519.
    fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes: syntheticNodes(1), pluginDirs: [], config: { security: { mode: 'unsigned' }, puppetral: { settings, targets: [target] } } });
    client = await Client.connect({ servers: nats.url });
    const find = async () => {
      const call = client.rpc({ agent: 'puppetral', action: 'find', data: { type: 'host', title: 'bench-host', target }, nodes: ['node-0001'] });
      let replies = 0;
      for await (const reply of call) {
        replies++;
        if (reply.statuscode !== 0) throw new Error(`puppetral find failed: ${reply.statusmsg}`);
      }
      if (replies !== 1) throw new Error('puppetral find: node-0001 did not reply');
    };
    await find(); // starts the helper
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      await find();
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return [{ name: 'rpc puppetral find, 1 node (warm Puppet helper, library)', samples, median: median(samples), target: 300 }];
  } finally {
    await client?.close();
    await fleet?.stop();
    await nats.stop();
    rmSync(sandbox, { recursive: true, force: true });
  }
}
