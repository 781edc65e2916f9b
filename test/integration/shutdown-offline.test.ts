// cohortd stopped while its NATS server is gone: it must not spend its stop
// waiting for farewell writes that cannot happen (the registry tombstone, the
// mine values: each used to wait for its JetStream timeout, ~9 s in all). It
// says what it skipped, closes and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, startNatsServer, until } from '../harness/index.js';

test('SIGTERM with NATS unreachable: farewell writes skipped, said, exit 0', { timeout: 120_000 }, async () => {
  const nats = await startNatsServer({ jetstream: true });
  const fleet = await startFleet({
    natsUrl: nats.url,
    monitorPort: nats.monitorPort,
    registry: true,
    logLevel: 'info',
    nodes: [{ identity: 'off1', facts: {}, classes: [] }],
    config: { mine: { uptime: { agent: 'rpcutil', action: 'ping', interval: 60 } } },
  });
  const node = fleet.nodes.get('off1')!;
  let log = '';
  node.process.stdout?.on('data', (d: Buffer) => (log += d));
  node.process.stderr?.on('data', (d: Buffer) => (log += d));
  try {
    await nats.stop();
    await until('the node to notice NATS is gone', () => /disconnected from NATS server/.test(log), { timeoutMs: 30_000, log: () => log });
    const exited = new Promise<number | null>((r) => node.process.once('exit', (code) => r(code)));
    node.process.kill('SIGTERM');
    assert.equal(await exited, 0, log);
    assert.match(log, /received SIGTERM: NATS is unreachable; not removing this node's registry record and mine values \(they expire\)/);
    assert.match(log, /INFO +stopped /);
  } finally {
    await fleet.stop();
  }
});
