/**
 * For commands that run until stopped (`events watch`, `kv watch`, `mine
 * export`, `nagios hosts`): `stopped` resolves with the first SIGINT or
 * SIGTERM, or with the reason given to `stop` (e.g. `--count` reached);
 * either way the signal handlers are removed.
 */
export function stopSignal(): { stopped: Promise<string>; stop(reason: string): void } {
  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((done) => {
    const on = (s: NodeJS.Signals) => stop(s);
    stop = (reason) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(reason);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  return { stopped, stop };
}
