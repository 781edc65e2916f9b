import type { Filter } from '../filter/types.js';

/** Where a mine function was declared. */
export type MineSource = 'config' | `drop-in ${string}` | `bus ${string}`;

/** A mine function ready to schedule: a DDL action, or (local config only) a command. */
export interface MineFunction {
  readonly name: string;
  readonly kind: 'action' | 'command';
  /** For `action`: the agent and action, with inputs validated by the DDL when it runs. */
  readonly agent?: string;
  readonly action?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** For `command`: argv (no shell); stdout is kept as text. */
  readonly command?: readonly string[];
  readonly intervalMs: number;
  /** Undefined: the DDL timeout (actions) or the interval, at most 60 s (commands). */
  readonly timeoutMs: number | undefined;
  /** Largest output kept; a bigger output is replaced by an error in the value. */
  readonly maxOutputBytes: number;
  /** Spread the first run over the interval (default true). */
  readonly splay: boolean;
  readonly source: MineSource;
  /** For bus definitions: who defined it (a caller id). */
  readonly definedBy?: string;
}

/**
 * One mined value, as the node signs it (signed data of kind `mine`) and
 * stores it under `<function>.<identity>` in the collective's mine bucket.
 */
export interface MineValue {
  function: string;
  identity: string;
  /** When the run finished, unix ms. */
  time: number;
  /** The function's interval, seconds: a value older than twice this is stale. */
  interval: number;
  duration_ms: number;
  /** 0 OK; the RPC status codes otherwise (1 aborted/timeout, 4 invalid input, 5 failure...). */
  statuscode: number;
  statusmsg: string;
  /** Where the function was declared (`config`, `drop-in FILE`, `bus user=alice`). */
  source: string;
  /** An action's outputs. */
  data?: Record<string, unknown>;
  /** A command's standard output. */
  output?: string;
}

/** A fleet-wide function definition, signed by its author (signed data of kind `mine-definition`). */
export interface MineDefinition {
  name: string;
  agent: string;
  action: string;
  inputs: Record<string, unknown>;
  /** Seconds. */
  interval: number;
  /** Seconds; absent: the DDL timeout. */
  timeout?: number;
  /** Only nodes matching this filter run it. */
  filter: Filter;
}

/** The signed-data kinds the mine uses. */
export const MineKind = { Value: 'mine', Definition: 'mine-definition' } as const;

/** Largest mine value envelope a reader accepts, bytes (the cap on outputs keeps values below it). */
export const maxMineValueBytes = 1024 * 1024;

/** The mine bucket forgets a value this long after its last write (readers call it stale long before). */
export const mineBucketMaxAgeSeconds = 7 * 86_400;
