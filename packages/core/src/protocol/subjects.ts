import { createHash } from 'node:crypto';

/**
 * Every NATS subject Cohort uses is formatted here and nowhere else.
 *
 *   <collective>.broadcast.agent.<agent>        requests for every node hosting <agent>
 *   <collective>.node.<identity>                 requests addressed to one node
 *   <collective>.reply.<md5(callerid)>.<reqid>   replies, private to one request
 *   <collective>.lifecycle.<event>.<identity>    node lifecycle events (startup, shutdown)
 *
 * and the registry: key-value bucket `cohort_registry_<collective>`, one key per node.
 */

const tokenPattern = /^[A-Za-z0-9_\-:.@]+$/;

/** True when `s` can be used where a subject token (or dotted tokens, for identities) is expected. */
export function isSubjectSafe(s: string): boolean {
  return tokenPattern.test(s) && !s.startsWith('.') && !s.endsWith('.') && !s.includes('..');
}

export function broadcastSubject(collective: string, agent: string): string {
  return `${collective}.broadcast.agent.${agent}`;
}

export function nodeSubject(collective: string, identity: string): string {
  return `${collective}.node.${identity}`;
}

/** The prefix under which every reply to this caller lands (for broker ACLs). */
export function replyPrefix(collective: string, callerid: string): string {
  return `${collective}.reply.${createHash('md5').update(callerid).digest('hex')}`;
}

export function replySubject(collective: string, callerid: string, requestId: string): string {
  return `${replyPrefix(collective, callerid)}.${requestId}`;
}

/** Where node lifecycle events (`startup`, `shutdown`) are published. */
export function lifecycleSubject(collective: string, event: string, identity: string): string {
  return `${collective}.lifecycle.${event}.${identity}`;
}

/** Subscribe here to watch every lifecycle event of a collective. */
export function lifecycleWatchSubject(collective: string): string {
  return `${collective}.lifecycle.>`;
}

/** The JetStream key-value bucket holding the registry of one collective. */
export function registryBucket(collective: string): string {
  return `cohort_registry_${collective}`;
}

/**
 * The registry key of a node. Keys allow only `- / _ = . A-Z a-z 0-9`, so
 * the `:` and `@` an identity may contain are escaped as `=3A` and `=40`.
 */
export function registryKey(identity: string): string {
  return identity.replace(/[:@]/g, (c) => (c === ':' ? '=3A' : '=40'));
}

/** The identity a registry key stands for (inverse of registryKey). */
export function identityFromRegistryKey(key: string): string {
  return key.replace(/=3A|=40/g, (c) => (c === '=3A' ? ':' : '@'));
}
