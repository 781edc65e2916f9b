import { buildFilter } from '@cohort/core';
import { Client } from '@cohort/client';
import { pluginConfig } from './config.js';
import { createDdlSource } from '@cohort/client';
import type { Bus } from '@cohort/client';
import type { RpcStats } from '@cohort/client';
import type { HostResult } from './evaluate.js';
import { hostFromReply, noReplyHost } from './hosts.js';
import type { CheckArgs } from './options.js';
import { checkSecurity } from './security.js';

/** Time kept back at the end of the deadline for printing the result. */
export const printReserveMs = 300;

export interface QueryDeps {
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** Absolute time (ms since epoch) by which replies must be in. */
  deadline: number;
  now: () => number;
  /** Told what is being waited for, so a deadline message can say. */
  stage: (what: string) => void;
  /** Use this bus instead of connecting to NATS (tests). */
  bus?: Bus;
}

/** What the fleet said. */
export interface QueryResult {
  hosts: HostResult[];
  stats: RpcStats;
  /** The NATS URLs used (for messages). */
  servers: string[];
}

/**
 * Run `nrpe runcommand` on the matching nodes and gather each node's state,
 * all within `deps.deadline`: the connection, discovery and reply timeouts
 * are cut to what is left, and the call is cancelled at the deadline (nodes
 * that did not answer by then are UNKNOWN). Throws ConnectionError (names the
 * URLs), ConfigError, FilterSyntaxError, InputError.
 */
export async function queryFleet(args: CheckArgs, deps: QueryDeps): Promise<QueryResult> {
  const loaded = pluginConfig(args, deps.env, deps.homedir);
  const servers = [...loaded.servers];
  const filter = buildFilter(args.filter);
  const left = (): number => Math.max(0.05, (deps.deadline - deps.now() - printReserveMs) / 1000);
  // Signed requests, the signed registry for discovery (when its issuers are trusted), TLS and credentials.
  const security = checkSecurity(loaded.security, deps.env);

  deps.stage(`connecting to NATS at ${servers.join(', ')}`);
  const client = await Client.connect({
    servers,
    collective: loaded.collective,
    ...(loaded.callerid ? { callerid: loaded.callerid } : {}),
    ...security,
    ddl: createDdlSource([...args.ddlDirs, ...loaded.ddlDirs]),
    connectTimeout: Math.min(2, left()),
    ...(deps.bus ? { bus: deps.bus } : {}),
  });
  try {
    deps.stage('discovering nodes');
    const discoveryTimeout = Math.min(args.discoveryTimeout, left() / 2);
    const call = client.rpc({
      agent: 'nrpe',
      action: 'runcommand',
      data: { command: args.command, ...(args.args !== undefined ? { args: args.args } : {}) },
      filter,
      discoveryTimeout,
      discoveryWindow: loaded.discoveryWindow,
      timeout: Math.max(0.05, left() - discoveryTimeout),
    });
    const cutoff = setTimeout(() => call.cancel(), Math.max(0, deps.deadline - printReserveMs - deps.now()));
    const hosts: HostResult[] = [];
    const started = deps.now();
    try {
      for await (const reply of call) {
        deps.stage('waiting for replies');
        if (!reply.unexpected) hosts.push(hostFromReply(reply));
      }
      const stats = await call.stats();
      const waited = deps.now() - started;
      for (const host of stats.no_response) hosts.push(noReplyHost(host, waited));
      return { hosts, stats, servers };
    } finally {
      clearTimeout(cutoff);
    }
  } finally {
    deps.stage('closing the NATS connection');
    await client.close();
  }
}
