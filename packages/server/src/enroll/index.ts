import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage, UsageError } from '@cohort/core';
import { runEnroll, runEnrollToken, type EnrollIo } from './run.js';

export { makeEnrollToken, openEnrollToken, tokenTimeProblem, EnrollTokenError, type EnrollPayload } from './token.js';
export { enrolledConfig, enrollEnvironment, enrollPaths, mergeEnvironmentFile } from './config.js';
export { diagnoseNatsFailure } from './diagnose.js';
export { runEnroll, runEnrollToken, EnrollError, type EnrollIo } from './run.js';

/** The subcommands cohortd dispatches here (main.ts). */
export const enrollCommands = ['enroll', 'enroll-token'] as const;

function processIo(): EnrollIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    now: () => Date.now(),
    readStdin: () => readFileSync(0, 'utf8'),
  };
}

/** Run `cohortd enroll ...` or `cohortd enroll-token ...`; resolves to the exit code (0 ok, 1 a check failed, 2 usage). */
export async function enrollMain(command: (typeof enrollCommands)[number], args: string[], io: EnrollIo = processIo()): Promise<number> {
  try {
    return command === 'enroll' ? await runEnroll(args, io) : runEnrollToken(args, io);
  } catch (err) {
    io.err(`cohortd ${command}: ${errorMessage(err)}\n`);
    if (err instanceof UsageError || err instanceof ConfigError) return 2;
    return 1; // EnrollError (a check failed) or anything unexpected
  }
}
