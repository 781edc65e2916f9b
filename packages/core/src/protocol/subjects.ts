import { createHash } from 'node:crypto';

/**
 * Every NATS subject Cohort uses is formatted here and nowhere else.
 *
 *   <collective>.broadcast.agent.<agent>        requests for every node hosting <agent>
 *   <collective>.node.<identity>                 requests addressed to one node
 *   <collective>.reply.<md5(callerid)>.<reqid>   replies, private to one request
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
