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

// md5 hex of recent caller ids: a node checks every request's reply_to against its caller's
// reply subject, and a fresh hash object per request cost as much as decoding the request.
// A fleet has few callers; a flood of new caller ids only empties the memo.
const callerHashes = new Map<string, string>();
const callerHashesMax = 256;

function callerHash(callerid: string): string {
  let hash = callerHashes.get(callerid);
  if (hash === undefined) {
    hash = createHash('md5').update(callerid).digest('hex');
    if (callerHashes.size >= callerHashesMax) callerHashes.clear();
    callerHashes.set(callerid, hash);
  }
  return hash;
}

/** The prefix under which every reply to this caller lands (for broker ACLs). */
export function replyPrefix(collective: string, callerid: string): string {
  return `${collective}.reply.${callerHash(callerid)}`;
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

/**
 * Where async jobs live. Everything sits under the caller's private reply
 * prefix (`<collective>.reply.<md5(callerid)>`, above), so a
 * broker ACL that confines a caller to `*.reply.<md5>.>` covers jobs too:
 *
 *   <collective>.reply.<md5>.async.<jobid>   replies of job <jobid> (nodes publish here: the request's reply_to)
 *   <collective>.reply.<md5>.job.<jobid>     the job's record (cohort:job:1), written by the client before sending
 *
 * A normal (sync) reply subject is `<collective>.reply.<md5>.<requestid>`:
 * four tokens, so the stream's five-token subjects never capture it.
 */

/** The JetStream stream holding one collective's jobs. */
export function jobStreamName(collective: string): string {
  return `cohort_jobs_${collective.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The reply_to of an async request: captured by the job stream. */
export function asyncReplySubject(collective: string, callerid: string, jobId: string): string {
  return `${replyPrefix(collective, callerid)}.async.${jobId}`;
}

/** Where the client writes the job's record. */
export function jobRecordSubject(collective: string, callerid: string, jobId: string): string {
  return `${replyPrefix(collective, callerid)}.job.${jobId}`;
}

/** The subjects the stream captures. */
export function jobStreamSubjects(collective: string): string[] {
  return [`${collective}.reply.*.async.*`, `${collective}.reply.*.job.*`];
}

/** Every reply of one job (any caller), or of every job with `*`. */
export function jobRepliesFilter(collective: string, jobId = '*'): string {
  return `${collective}.reply.*.async.${jobId}`;
}

/** The record of one job (any caller), or of every job with `*`. */
export function jobRecordsFilter(collective: string, jobId = '*'): string {
  return `${collective}.reply.*.job.${jobId}`;
}

/** The job id at the end of a job subject. */
export function jobIdOfSubject(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}

/**
 * May a node send the reply to a request from `callerid` with id `requestId`
 * to `subject`? Only the caller's own reply subject for this request, or an
 * async job subject of this caller (`asyncReplySubject`, one token for the
 * job id). Anything else would let a request aim the node's own bus
 * credentials at other subjects (the registry, the JetStream API).
 */
export function isCallerReplySubject(collective: string, callerid: string, requestId: string, subject: string): boolean {
  if (subject === replySubject(collective, callerid, requestId)) return true;
  const marker = '\u0000';
  const [head = '', tail = ''] = asyncReplySubject(collective, callerid, marker).split(marker);
  if (!subject.startsWith(head) || !subject.endsWith(tail) || subject.length <= head.length + tail.length) return false;
  return /^[A-Za-z0-9_-]+$/.test(subject.slice(head.length, subject.length - tail.length));
}

/**
 * The inbox prefix of a client connection (`_INBOX.<md5(callerid)>`): NATS
 * request replies and JetStream deliveries for this caller land under it, so
 * a broker ACL can give each caller `_INBOX.<md5>.>` instead of every inbox.
 */
export function callerInboxPrefix(callerid: string): string {
  return `_INBOX.${callerHash(callerid)}`;
}

/** The inbox prefix of a node's connection (`_INBOX.node.<identity>`; ACL `_INBOX.node.>` for the nodes' user). */
export function nodeInboxPrefix(identity: string): string {
  return `_INBOX.node.${identity}`;
}

/** The inbox prefix of a long-running service's connection (`_INBOX.service.<name>`, e.g. the event handlers; ACL `_INBOX.service.<name>.>`). */
export function serviceInboxPrefix(service: string): string {
  return `_INBOX.service.${service}`;
}

/** The JetStream key-value bucket holding the mined values of one collective. */
export function mineBucket(collective: string): string {
  return `cohort_mine_${collective}`;
}

/** The key-value bucket holding one collective's fleet-wide mine definitions (key = function name). */
export function mineDefinitionsBucket(collective: string): string {
  return `cohort_mine_defs_${collective}`;
}

/**
 * The mine key of a node's value of `fn`: `<function>.<identity>` (identity
 * escaped as in registryKey), so `<function>.>` watches every node's value.
 */
export function mineKey(fn: string, identity: string): string {
  return `${fn}.${registryKey(identity)}`;
}

/** The identity and function a mine key stands for (inverse of mineKey); undefined for other keys. */
export function parseMineKey(key: string): { function: string; identity: string } | undefined {
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) return undefined;
  return { function: key.slice(0, dot), identity: identityFromRegistryKey(key.slice(dot + 1)) };
}
