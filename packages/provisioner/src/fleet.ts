import type { MasterCandidate } from './master.js';

/**
 * What the provisioner needs from the fleet, behind one interface:
 * fleet-rpc.ts implements it with two Cohort clients (the provisioning and
 * the production collective); unit tests fake it.
 */

/** Which collective a call goes to. */
export type Where = 'provisioning' | 'production';

export interface FleetApi {
  /**
   * Run `agent.action` on one node and return its reply data. Throws
   * StepFailure when the node replies with an error status, or NoReply when
   * it does not reply within `timeoutS`.
   */
  call(where: Where, identity: string, agent: string, action: string, data: Readonly<Record<string, unknown>>, timeoutS: number): Promise<Record<string, unknown>>;
  /** Production nodes hosting `agent` (the masters/CAs), with their facts; asked afresh every time. */
  nodesWithAgent(agent: string, timeoutS: number): Promise<MasterCandidate[]>;
  /** Identities waiting in the provisioning collective (nodes hosting `agent` there). */
  waiting(agent: string): Promise<string[]>;
  /** True when the node answers a ping in the production collective within `timeoutS`. */
  answers(identity: string, timeoutS: number): Promise<boolean>;
  /** Call `fn` with the identity of every node that starts up in the provisioning collective. */
  onAnnounce(fn: (identity: string) => void): { stop(): void };
  close(): Promise<void>;
}

/** A step's request failed: an error status from the agent, or something the provisioner found wrong. */
export class StepFailure extends Error {
  readonly code = 'STEP_FAILED';
  /** False when another try cannot help. */
  readonly retryable: boolean;
  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'StepFailure';
    this.retryable = options.retryable ?? true;
  }
}

/** The node did not reply in time (it may be gone, or busy). */
export class NoReply extends StepFailure {
  constructor(message: string) {
    super(message);
    this.name = 'NoReply';
  }
}
