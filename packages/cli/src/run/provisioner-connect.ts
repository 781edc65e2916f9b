import { UsageError, type BusAuth } from '@cohort/core';
import { connectBus, type Bus } from '@cohort/client';
import type { Client } from '@cohort/client';
import { loadPipeline, type Pipeline } from '@cohort/provisioner';
import { openKvStateStore } from '@cohort/provisioner';
import type { StateStore } from '@cohort/provisioner';
import { str, type Args } from '../args.js';
import type { CliIo } from '../io.js';
import { openSession, type Session } from '../session.js';
import { busAuth } from '../session-security.js';

/**
 * Connections for the provisioner commands, from the same flags, variables
 * and client config as every command (`--client-config` stands in for the
 * usual `--config`, which names the pipeline file here).
 */

/** The session of collective `collective` (servers, keys, DDLs resolved). */
export function provisionerSession(argv: Args, io: CliIo, collective: string): Promise<Session> {
  return openSession({ ...argv, config: str(argv, 'client-config'), target: collective }, io, { keepsRunning: true });
}

/** NATS TLS and credentials as the session resolved them. */
export function provisionerAuth(argv: Args, io: CliIo, session: Session): BusAuth {
  return busAuth(session.config.security);
}

/** One NATS connection, two clients on it: the provisioning and the production collective. */
export async function connectCollectives(
  argv: Args,
  io: CliIo,
  pipeline: Pipeline,
): Promise<{ bus: Bus; provisioning: Client; production: Client; verified: Client | undefined; session: Session }> {
  const first = await provisionerSession(argv, io, pipeline.config.provisioning.collective);
  const bus = await connectBus({ servers: first.servers, auth: provisionerAuth(argv, io, first), name: `cohort-provisioner ${pipeline.name}` });
  const shared: CliIo = { ...io, connect: async () => bus };
  const provisioning = await (await provisionerSession(argv, shared, pipeline.config.provisioning.collective)).connect();
  const production = await (await provisionerSession(argv, shared, pipeline.config.production.collective)).connect();
  // With trusted node keys, a second production client verifies every reply: masters/CAs are found and called through it.
  const verified =
    first.nodeTrust !== undefined ? await (await provisionerSession({ ...argv, 'verify-replies': true }, shared, pipeline.config.production.collective)).connect() : undefined;
  return { bus, provisioning, production, verified, session: first };
}

/** The state bucket named by --bucket, else the pipeline file's (--config), else the default. */
export function bucketArg(argv: Args, io: CliIo): string {
  const flag = str(argv, 'bucket');
  if (flag !== undefined) {
    if (!/^[A-Za-z0-9_-]+$/.test(flag)) throw new UsageError(`--bucket '${flag}' is not a bucket name: use letters, digits, _ and -`);
    return flag;
  }
  const file = str(argv, 'config');
  return file !== undefined ? loadPipeline(file, io.env).config.state.bucket : 'cohort_provisioner';
}

/** Open an existing state bucket (status, retry). */
export async function openStateForCli(argv: Args, io: CliIo): Promise<StateStore> {
  const bucket = bucketArg(argv, io);
  const session = await provisionerSession(argv, io, 'provisioning');
  return openKvStateStore({ servers: session.servers, auth: provisionerAuth(argv, io, session), bucket, create: false });
}
