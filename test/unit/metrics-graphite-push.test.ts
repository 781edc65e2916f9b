// The Graphite push: paths, line format, and the carbon connection against a
// local TCP server: delivery, a bounded buffer while carbon is down (oldest
// dropped and counted), reconnection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { silentLogger } from '@cohort/core/log';
import { CarbonClient, graphiteLine, graphiteSegment, mountSegment, pushLines, samplePath } from '@cohort/server';

test('paths: <prefix>.<identity>.<group>[.<object>].<metric>, sanitised', () => {
  assert.equal(samplePath('cohort', 'web1.example.com', { group: 'load', metric: 'load1', value: 1 }), 'cohort.web1_example_com.load.load1');
  assert.equal(samplePath('cohort', 'n1', { group: 'disk', object: '/', metric: 'used_pct', value: 1 }), 'cohort.n1.disk.root.used_pct');
  assert.equal(samplePath('dc1.cohort', 'n1', { group: 'disk', object: '/var/lib/my data', metric: 'free', value: 1 }), 'dc1.cohort.n1.disk.var_lib_my_data.free');
  assert.equal(samplePath('cohort', 'n1', { group: 'net', object: 'eth0.100', metric: 'rx_bytes', value: 1 }), 'cohort.n1.net.eth0_100.rx_bytes');
  assert.equal(graphiteSegment('a b\nc;d=e'), 'a_b_c_d_e');
  assert.equal(graphiteSegment('...'), '_');
  assert.equal(mountSegment('/'), 'root');
  assert.equal(graphiteLine('a.b', 1.5, 1700000000.9), 'a.b 1.5 1700000000\n');
  assert.equal(graphiteLine('a.b', Number.NaN, 1), undefined);
  assert.equal(graphiteLine('a.b', Infinity, 1), undefined);
  const lines = pushLines('cohort', 'n1', [{ group: 'load', metric: 'load1', value: 0.5 }], [{ check: 'disk root', state: 'critical', perfdata: [{ label: '/', value: 91, uom: '%' }, { label: 'x', value: Number.NaN }] }], 100);
  assert.deepEqual(lines, ['cohort.n1.load.load1 0.5 100\n', 'cohort.n1.checks.disk_root.state 2 100\n', 'cohort.n1.checks.disk_root._ 91 100\n']);
});

/** A carbon stand-in: collects the lines it receives. */
function lineServer(port = 0): Promise<{ server: Server; port: number; lines: string[]; sockets: Set<Socket> }> {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  let partial = '';
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok({ server, port: (server.address() as AddressInfo).port, lines, sockets })));
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const close = (s: Server, sockets: Set<Socket>) => new Promise<void>((ok) => { for (const so of sockets) so.destroy(); s.close(() => ok()); });

test('lines reach carbon; while it is down they wait in a bounded buffer; the newest are sent after reconnecting', async () => {
  const first = await lineServer();
  const carbon = new CarbonClient({ host: '127.0.0.1', port: first.port, maxBuffer: 5, log: silentLogger(), minBackoffMs: 50, maxBackoffMs: 200 });
  try {
    await until('connection', () => carbon.connected);
    carbon.send(['a.one 1 100\n', 'a.two 2 100\n']);
    await until('two lines', () => first.lines.length === 2);
    assert.deepEqual(first.lines, ['a.one 1 100', 'a.two 2 100']);
    assert.equal(carbon.stats.graphite_lines_sent_total, 2);

    // Carbon goes away: lines are buffered up to 5, the oldest dropped and counted.
    await close(first.server, first.sockets);
    await until('disconnect', () => !carbon.connected);
    carbon.send(Array.from({ length: 8 }, (_, k) => `b.n${k} ${k} 200\n`));
    assert.equal(carbon.stats.graphite_lines_buffered, 5);
    assert.equal(carbon.stats.graphite_lines_dropped_total, 3);

    // Carbon is back on the same port: the client reconnects by itself and sends the 5 newest.
    const second = await lineServer(first.port);
    try {
      await until('reconnect and delivery', () => second.lines.length === 5);
      assert.deepEqual(second.lines, ['b.n3 3 200', 'b.n4 4 200', 'b.n5 5 200', 'b.n6 6 200', 'b.n7 7 200']);
      assert.equal(carbon.stats.graphite_lines_buffered, 0);
      assert.equal(carbon.stats.graphite_connected, 1);
    } finally {
      await carbon.close();
      await close(second.server, second.sockets);
    }
  } finally {
    await carbon.close();
  }
});
