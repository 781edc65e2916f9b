/** What {@link until} throws when the condition did not come true in time. */
export class WaitTimeout extends Error {}

/**
 * Poll `fn` until it is true; past `timeoutMs`, fail naming `what`, with the
 * tail of `log` (a process's output) when given. Tests wait for conditions
 * with this instead of sleeping for a fixed time.
 */
export async function until(what: string, fn: () => boolean | Promise<boolean>, options: { timeoutMs: number; everyMs?: number; log?: () => string; logName?: string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) {
      const tail = options.log ? `\n--- ${options.logName ?? 'log'}:\n${options.log().slice(-4000)}` : '';
      throw new WaitTimeout(`timed out waiting for ${what}${tail}`);
    }
    await new Promise((r) => setTimeout(r, options.everyMs ?? 100));
  }
}

/**
 * Poll `probe` until it gives a value (anything but undefined) and return it;
 * past `timeoutMs`, fail as {@link until} does.
 */
export async function untilValue<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, options: { timeoutMs: number; everyMs?: number; log?: () => string; logName?: string }): Promise<T> {
  let value: T | undefined;
  await until(what, async () => (value = await probe()) !== undefined, options);
  return value as T;
}
