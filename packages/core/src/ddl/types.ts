/**
 * Types for Choria's JSON agent DDL format
 * (https://choria.io/schemas/mcorpc/ddl/v1/agent.json, copied in ddl/schema/).
 * YAML files with the same structure are accepted too.
 */

export const inputTypes = ['string', 'list', 'boolean', 'integer', 'float', 'number', 'hash', 'array'] as const;
export type InputType = (typeof inputTypes)[number];

export const displayPolicies = ['ok', 'failed', 'always'] as const;
export type DisplayPolicy = (typeof displayPolicies)[number];

export interface DdlMetadata {
  name: string;
  description: string;
  author: string;
  license: string;
  version: string;
  url: string;
  /** Seconds an action may run before the node aborts it. */
  timeout: number;
  provider?: string;
  service?: boolean;
}

export interface DdlInput {
  prompt: string;
  description: string;
  type: InputType;
  optional: boolean;
  default?: unknown;
  /** For strings: a regex (Ruby/Go style `\A..\z` accepted) or a named validator (shellsafe, ipv4address, ipv6address, ipaddress). */
  validation?: string;
  /** For strings: maximum length, 0 = unlimited. */
  maxlength?: number;
  /** For `list` inputs: the allowed values. */
  list?: unknown[];
}

export interface DdlOutput {
  description: string;
  display_as: string;
  default?: unknown;
  type?: InputType;
}

/** An aggregate call: `function` applied to the output named by `args[0]`; a trailing `{format}` object sets the format. */
export interface DdlAggregate {
  function: string;
  args: Array<string | { format?: string; [k: string]: unknown }>;
}

export interface DdlAction {
  action: string;
  description: string;
  display?: DisplayPolicy;
  input: Record<string, DdlInput>;
  output: Record<string, DdlOutput>;
  aggregate?: DdlAggregate[];
  /**
   * Cohort extension (other DDL tools ignore it): the name of a `hash` input
   * that collects every input the action does not declare, so
   * `cohort rpc puppetral do type=user name=rip shell=/bin/sh` puts `name` and
   * `shell` into `parameters`. Without it, undeclared inputs are refused.
   */
  extra_inputs?: string;
}

export interface Ddl {
  $schema?: string;
  metadata: DdlMetadata;
  actions: DdlAction[];
}

/**
 * The shape generated DDL types take: one entry per action with its typed
 * inputs and outputs. `packages/agents/scripts/gen-agent-types.mjs` (and `cohort ddl types FILE`)
 * emit an interface `<Agent>Actions` satisfying this for every DDL.
 */
export type AgentActionMap = Record<string, { input: object; output: object }>;
