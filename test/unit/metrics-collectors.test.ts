// The built-in collectors on this machine's real /proc, and their parsers on
// fixed texts (escapes, pseudo file systems, bind mounts, counters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { silentLogger } from '@cohort/core/log';
import { collectorNames, cpuPercentages, createSampler, memorySamples, parseLoadavg, parseMeminfo, parseMounts, parseNetDev, parseProcStat, statState } from '@cohort/server';

const linux = process.platform === 'linux';

test('every collector samples the real /proc', { skip: linux ? false : 'collectors read /proc (Linux only)' }, async () => {
  const sampler = createSampler({ collectors: collectorNames, intervalMs: 60_000, log: silentLogger() });
  await sampler.sample();
  await sampler.sample(); // a second sample: rates and CPU deltas
  assert.equal(sampler.failures, 0);
  const m = sampler.snapshot();
  const get = (k: string) => {
    const v = m.get(k);
    assert.equal(typeof v, 'number', `${k} missing from ${[...m.keys()].slice(0, 20).join(', ')}`);
    return v as number;
  };
  assert.ok(get('load.load1') >= 0 && get('load.load5') >= 0 && get('load.load15') >= 0);
  const memTotalKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
  assert.equal(get('memory.total'), memTotalKb * 1024);
  assert.ok(get('memory.used_pct') > 0 && get('memory.used_pct') <= 100);
  assert.ok(get('memory.used') <= get('memory.total'));
  assert.ok(get('swap.used_pct') >= 0 && get('swap.used_pct') <= 100);
  const cpu = ['user_pct', 'system_pct', 'idle_pct', 'iowait_pct', 'steal_pct'].reduce((sum, k) => sum + get(`cpu.${k}`), 0);
  assert.ok(cpu > 99 && cpu < 101 || cpu === 0, `cpu percentages add up to ${cpu}`);
  assert.ok(get('cpu.count') >= 1);
  assert.ok(get('uptime.seconds') > 0);
  assert.ok(get('processes.total') >= 1);
  assert.ok(get('processes.running') >= 0 && get('processes.sleeping') >= 0);
  assert.ok(get('processes.threads') >= get('processes.total'));
  // Loopback exists everywhere; totals are counters, rates appear from the second sample on.
  assert.ok(get('net.lo.rx_bytes') >= 0);
  assert.ok(get('net.lo.rx_bytes_per_s') >= 0);
  assert.equal(sampler.samples().find((s) => s.group === 'net' && s.metric === 'rx_bytes')?.counter, true);
  // At least one real file system, with sane percentages and no pseudo ones.
  const disks = sampler.samples().filter((s) => s.group === 'disk' && s.metric === 'used_pct');
  assert.ok(disks.length >= 1, 'no disk sampled');
  for (const d of disks) assert.ok(d.value >= 0 && d.value <= 100, `${d.object}: ${d.value}`);
  assert.ok(!disks.some((d) => d.object === '/proc' || d.object === '/sys' || d.object?.startsWith('/dev/')));
  assert.ok(sampler.sampledAt > 0);
});

test('a collector that fails is left out and counted; the others still sample', async () => {
  const sampler = createSampler({ collectors: ['load', 'uptime'], intervalMs: 60_000, log: silentLogger(), env: { proc: '/nonexistent-proc' } });
  await sampler.sample();
  assert.equal(sampler.failures, 2);
  assert.equal(sampler.snapshot().size, 0);
  const none = createSampler({ collectors: [], intervalMs: 1000, log: silentLogger() });
  await none.start();
  assert.equal(none.snapshot().size, 0);
});

test('parsers: /proc/stat, loadavg, meminfo, net/dev, mounts, pid stat', () => {
  const stat = parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0\ncpu1 50 0 25 400 25 0 0 0\nintr 1\n');
  assert.equal(stat.count, 2);
  const later = { ...stat.times, user: 200, idle: 1600, iowait: 50 };
  const p = cpuPercentages(stat.times, later);
  assert.equal(p['user_pct'], 11.11);
  assert.equal(p['idle_pct'], 88.89);
  assert.equal(p['used_pct'], 11.11);
  assert.throws(() => parseProcStat('intr 1'), /no 'cpu' line/);
  assert.deepEqual(parseLoadavg('0.50 1.00 2.25 3/456 789\n'), { load1: 0.5, load5: 1, load15: 2.25 });
  assert.throws(() => parseLoadavg('garbage'), /cannot parse/);
  const mem = memorySamples(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n'));
  const v = (g: string, k: string) => mem.find((s) => s.group === g && s.metric === k)?.value;
  assert.equal(v('memory', 'used'), 750 * 1024);
  assert.equal(v('memory', 'used_pct'), 75);
  assert.equal(v('swap', 'used_pct'), 0);
  const net = parseNetDev('Inter-|   Receive\n face |bytes\n  eth0: 1000 10 1 2 0 0 0 0 2000 20 3 4 0 0 0 0\n    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n');
  assert.deepEqual(net.get('eth0'), { rx_bytes: 1000, rx_packets: 10, rx_errors: 1, rx_drops: 2, tx_bytes: 2000, tx_packets: 20, tx_errors: 3, tx_drops: 4 });
  const mounts = parseMounts(
    [
      '/dev/sda1 / ext4 rw 0 0',
      'proc /proc proc rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      '/dev/sda2 /srv/my\\040data xfs rw 0 0',
      '/dev/sda2 /bind/again xfs rw 0 0',
      'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
      'overlay /var/lib/docker/a overlay rw 0 0',
      'overlay /var/lib/docker/b overlay rw 0 0',
    ].join('\n'),
  );
  assert.deepEqual(mounts.map((m) => m.mount), ['/', '/srv/my data', '/var/lib/docker/a', '/var/lib/docker/b']);
  assert.equal(statState('123 (a (weird) name) S 1 2 3'), 'S');
  assert.equal(statState('7 (z) Z 1'), 'Z');
});

test('fresh(): samples only when the latest sample is older than the given age (on-demand sampling)', { skip: linux ? false : 'collectors read /proc (Linux only)' }, async () => {
  let now = 1_000_000;
  const sampler = createSampler({ collectors: ['load'], intervalMs: 15_000, log: silentLogger(), env: { clock: () => now } });
  assert.equal(sampler.sampledAt, 0);
  await sampler.fresh(15_000);
  assert.equal(sampler.sampledAt, now, 'the first read samples');
  assert.ok(sampler.snapshot().has('load.load1'));
  now += 14_999;
  await sampler.fresh(15_000);
  assert.equal(sampler.sampledAt, 1_000_000, 'a sample younger than the age is reused');
  now += 1;
  await sampler.fresh(15_000);
  assert.equal(sampler.sampledAt, 1_015_000, 'an older one is replaced');
});
