import type { AggregateSummary } from '@cohort/client';
import type { Reply, RpcStats } from '@cohort/client';

/** One reply in `--json` output. `unexpected` appears only on replies from nodes that were not addressed. */
export interface JsonReply {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
  /** The node's reply timestamp, unix ms. */
  time: number;
  unexpected?: true;
}

/** The document `cohort rpc --json` prints. */
export interface RpcJson {
  agent: string;
  action: string;
  replies: JsonReply[];
  stats: RpcStats;
  summaries: AggregateSummary[];
}

export function rpcJson(agent: string, action: string, replies: readonly Reply[], stats: RpcStats, summaries: AggregateSummary[]): RpcJson {
  return {
    agent,
    action,
    replies: replies.map(jsonReply),
    stats,
    summaries,
  };
}

/** One reply as it appears in `--json` (and as one line of `--jsonl`). */
export function jsonReply(r: Reply): JsonReply {
  return {
    sender: r.sender,
    statuscode: r.statuscode,
    statusmsg: r.statusmsg,
    data: r.data,
    time: r.time,
    ...(r.unexpected ? { unexpected: true as const } : {}),
  };
}

/** JSON text: indented for a terminal, one line for pipes. Ends with a newline. */
export function stringifyJson(value: unknown, pretty: boolean): string {
  return `${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`;
}
