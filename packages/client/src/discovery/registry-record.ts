import type { NodeView, RegistrationMessage } from '@cohort/core';

/** A node as the registry knows it. */
export interface RegisteredNode {
  readonly identity: string;
  readonly record: RegistrationMessage;
  /** What a discovery filter sees: identity, facts, classes and agents, exactly as the node published them. */
  readonly view: NodeView;
  /** When the server stored the record (unix ms, the server's clock). */
  readonly updatedAt: number;
  /** True when the record's signature was checked against the client's trusted node keys. */
  readonly verified: boolean;
}

/** The filter's view of a registry record (no data functions: those need the node itself). */
export function nodeViewOf(record: RegistrationMessage): NodeView {
  return { identity: record.identity, facts: record.facts, classes: record.classes, agents: record.agents };
}

/** A registry record with its server write time. */
export function registeredNode(record: RegistrationMessage, updatedAt: number, verified = false): RegisteredNode {
  return { identity: record.identity, record, view: nodeViewOf(record), updatedAt, verified };
}
