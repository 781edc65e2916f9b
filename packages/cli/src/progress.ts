import type { CliIo } from './io.js';

/** A progress indicator on stderr; every method is a no-op when none is shown. */
export interface Progress {
  update(text: string): void;
  /** Run `fn` with the indicator cleared, so output does not mix with it. */
  around(fn: () => void): void;
  stop(): void;
}

const none: Progress = {
  update: () => undefined,
  around: (fn) => fn(),
  stop: () => undefined,
};

/**
 * Start a spinner (ora) when `enabled` and stderr is a terminal; its text is
 * refreshed from `text()` a few times a second. ora is imported only then, so
 * piped and --json runs never load it.
 */
export async function startProgress(io: CliIo, enabled: boolean, text: () => string): Promise<Progress> {
  const stream = io.stderr.stream;
  // A terminal that reports no width (some CI ptys) would make the spinner's line clearing misbehave.
  if (!enabled || !io.stderr.isTTY || !stream || !(stream.columns > 0)) return none;
  const { default: ora } = await import('ora');
  const spinner = ora({ text: text(), stream, discardStdin: false, hideCursor: true }).start();
  const ticker = setInterval(() => {
    spinner.text = text();
  }, 100);
  return {
    update: (t) => {
      spinner.text = t;
    },
    around: (fn) => {
      spinner.clear();
      fn();
      spinner.render();
    },
    stop: () => {
      clearInterval(ticker);
      spinner.stop();
    },
  };
}
