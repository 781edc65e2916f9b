// One fleet size: (a) floor, then the simulator with (b), (c), (d), RSS, and
// at N = 100 the sequential request rate.
import { startNatsServer } from '../harness.mjs';
import { measureFloor, startRawResponders } from './floor.mjs';
import { startSim } from './fleet.mjs';
import { measureBroadcast, measureCli, measureLibrary, measureSequential } from './measure.mjs';
import { loadAverage, median, sleep } from './util.mjs';

/**
 * @param {number} n
 * @param {{ runs: number, warmup: number, perProcess: number, log: (s: string) => void, sequentialSeconds: number }} o
 */
export async function measureSize(n, o) {
  const load = loadAverage();
  o.log(`N=${n}: load ${load.toFixed(2)}; floor ...`);
  const nats = await startNatsServer({ jetstream: true });
  try {
    const raw = await startRawResponders(nats.url, n, o.perProcess);
    let floor;
    try {
      floor = await measureFloor(nats.url, n, o);
    } finally {
      await raw.stop();
    }
    o.log(`N=${n}: floor ${median(floor.samples).toFixed(1)} ms; starting ${n} virtual nodes ...`);
    const sim = await startSim(nats.url, n, o.perProcess);
    try {
      await sleep(1000);
      o.log(`N=${n}: simulator ready in ${sim.readyMs} ms; (b) library ...`);
      const lib = await measureLibrary(nats.url, n, o);
      o.log(`N=${n}: (b) ${median(lib.samples).toFixed(1)} ms; (c) CLI ...`);
      const cli = measureCli(nats.url, n, o);
      o.log(`N=${n}: (c) ${median(cli.samples).toFixed(1)} ms; (d) broadcast discovery ...`);
      const broadcast = await measureBroadcast(nats.url, n, o);
      const sequential = n === 100 ? await measureSequential(nats.url, n, o.sequentialSeconds) : undefined;
      await sleep(1000);
      const rss = sim.rssKb();
      return {
        n,
        load,
        processes: sim.pids.length,
        floor: { median: median(floor.samples), lost: floor.lost },
        library: { median: median(lib.samples), lost: lib.lost, cpuMsPer1000: lib.cpuMsPer1000 },
        cli: { median: median(cli.samples), lost: cli.lost },
        broadcast: { median: median(broadcast.samples), lost: broadcast.lost },
        sequential,
        rssPerNodeKb: rss / n,
        simReadyMs: sim.readyMs,
      };
    } finally {
      await sim.stop();
    }
  } finally {
    await nats.stop();
  }
}
