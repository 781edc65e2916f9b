/**
 * The shapes the page reads from the web API (docs/web.md, WEB-API.md). Every
 * value here comes from the network and, for facts, outputs and status
 * messages, from nodes: the page renders them as text only.
 */

export type InputType = 'string' | 'list' | 'boolean' | 'integer' | 'float' | 'number' | 'hash' | 'array';
export type DisplayPolicy = 'ok' | 'failed' | 'always';

export interface DdlInput {
  prompt?: string;
  description?: string;
  type: InputType;
  optional?: boolean;
  default?: unknown;
  validation?: string;
  maxlength?: number;
  list?: unknown[];
}

export interface DdlOutput {
  description?: string;
  display_as?: string;
  default?: unknown;
  type?: InputType;
}

export interface DdlAction {
  action: string;
  description?: string;
  display?: DisplayPolicy;
  input: Record<string, DdlInput>;
  output: Record<string, DdlOutput>;
  aggregate?: Array<{ function: string; args: unknown[] }>;
  extra_inputs?: string;
}

export interface AgentDdl {
  metadata: { name: string; description?: string; version?: string; timeout?: number; [k: string]: unknown };
  actions: DdlAction[];
  resultsTemplate?: string;
}

export interface Reply {
  identity: string;
  statuscode: number;
  statusmsg: string;
  data: unknown;
  ms?: number;
}

export interface JobRecord {
  id: string;
  user: string;
  agent: string;
  action: string;
  filter?: string;
  nodes?: string[];
  started: string | number;
  finished?: string | number;
  discovered: number;
  ok: number;
  failed: number;
  noreply: number;
  inputs?: Record<string, unknown>;
  /** The job this one retried (its failed and silent nodes). */
  retryOf?: string;
  /** The console stopped while the job ran: nodes without a kept reply count as not replying. */
  interrupted?: boolean;
}

/** One DDL aggregate's result as the server computes it (the client library's AggregateSummary). */
export interface Summary {
  function?: string;
  output?: string;
  display_as?: string;
  format?: string;
  kind?: 'counts' | 'value';
  counts?: Array<[string, number]>;
  value?: number;
  text?: string[];
  [k: string]: unknown;
}

export interface Session {
  user: string;
  role: 'admin' | 'watcher';
  csrf: string;
  allow?: string[];
}
