/**
 * `describe` and `test` that skip a whole group test by test. node:test runs
 * nothing inside a skipped `describe`, so its tests are neither run nor
 * listed: a run would report "skipped 1" for a group of twenty. With these,
 * `describe(name, { skip: 'why' }, fn)` still builds the group and every test
 * in it is reported skipped with the reason (scripts/run-tests.mjs lists them
 * all at the end). The group's hooks still run: they return early on `skip`.
 */
import * as nodeTest from 'node:test';

type Fn = (...args: never[]) => unknown;
type Options = { skip?: boolean | string; timeout?: number; concurrency?: number | boolean; todo?: boolean | string; only?: boolean };

/** The skip reason of the group being built (groups are built synchronously). */
let groupSkip: string | undefined;

export function describe(name: string, options: Options | Fn, fn?: Fn): void {
  if (typeof options === 'function') return void nodeTest.describe(name, options as never);
  const why = options.skip;
  if (!why) return void nodeTest.describe(name, options, fn as never);
  const outer = groupSkip;
  groupSkip = why === true ? 'skipped' : why;
  try {
    void nodeTest.describe(name, { ...options, skip: false }, fn as never);
  } finally {
    groupSkip = outer;
  }
}

export function test(name: string, options: Options | Fn, fn?: Fn): void {
  if (typeof options === 'function') return void nodeTest.test(name, groupSkip ? { skip: groupSkip } : {}, options as never);
  return void nodeTest.test(name, groupSkip ? { ...options, skip: groupSkip } : options, fn as never);
}

export { before, after, beforeEach, afterEach } from 'node:test';
