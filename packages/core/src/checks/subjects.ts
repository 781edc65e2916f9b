import { identityFromRegistryKey, registryKey } from '../protocol/subjects.js';

/** The key-value bucket holding the current check states of one collective. */
export function checksBucket(collective: string): string {
  return `cohort_checks_${collective}`;
}

/** The key-value bucket holding one collective's fleet-wide check definitions (key = check name). */
export function checkDefinitionsBucket(collective: string): string {
  return `cohort_check_defs_${collective}`;
}

/** The key of a node's state of `check`: `<check>.<identity>` (identity escaped as in registryKey). */
export function checkKey(check: string, identity: string): string {
  return `${check}.${registryKey(identity)}`;
}

/** The check and identity a checks key stands for (inverse of checkKey); undefined for other keys. */
export function parseCheckKey(key: string): { check: string; identity: string } | undefined {
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) return undefined;
  return { check: key.slice(0, dot), identity: identityFromRegistryKey(key.slice(dot + 1)) };
}

/** The JetStream stream of one collective's check events. */
export function checkEventsStream(collective: string): string {
  return `cohort_check_events_${collective}`;
}

/** Where a node publishes a state change of `check`: `<collective>.check-event.<identity key>.<check>`. */
export function checkEventSubject(collective: string, identity: string, check: string): string {
  return `${collective}.check-event.${registryKey(identity)}.${check}`;
}

/** Every check event of a collective (the stream's subject), or of one node. */
export function checkEventsFilter(collective: string, identity?: string): string {
  return identity === undefined ? `${collective}.check-event.>` : `${collective}.check-event.${registryKey(identity)}.*`;
}

/**
 * The identity and check of an event subject; undefined for other subjects.
 * Identities may contain dots (`web1.example.net`) and check names never do,
 * so the check is the last token and the identity everything before it.
 */
export function parseCheckEventSubject(collective: string, subject: string): { identity: string; check: string } | undefined {
  const prefix = `${collective}.check-event.`;
  if (!subject.startsWith(prefix)) return undefined;
  const rest = subject.slice(prefix.length);
  const dot = rest.lastIndexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  const check = rest.slice(dot + 1);
  if (!checkNamePattern.test(check)) return undefined;
  return { identity: identityFromRegistryKey(rest.slice(0, dot)), check };
}

/** Check names: one subject token, as mine function names. */
export const checkNamePattern = /^[a-z][a-z0-9_-]{0,63}$/;
