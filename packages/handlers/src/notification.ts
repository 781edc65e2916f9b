import type { CheckEvent } from '@cohort/core';

/**
 * What a handler is told: a state change, a reminder that a problem persists,
 * that a check started flapping, or that it settled. The webhook body and the
 * exec program's stdin are {@link notificationPayload}; the email templates
 * get {@link templateVariables}.
 */

export type NotificationKind = 'change' | 'renotify' | 'flapping' | 'settled';

export interface Notification {
  /** Unique per notification (deliveries are deduplicated on it with the handler name). */
  readonly id: string;
  readonly kind: NotificationKind;
  /** The handlers to tell. */
  readonly handlers: readonly string[];
  /** The event it is about (for renotify and settled: the latest event of the check). */
  readonly event: CheckEvent;
  /** Unix ms when it was decided. */
  readonly time: number;
  /** renotify: the how-manyth reminder (1, 2 ...). */
  readonly count?: number;
}

/** The tag of the JSON a webhook or exec handler receives. */
export const notificationTag = 'cohort:check-notification:1';

/** The JSON a webhook receives (POST body) and an exec handler reads on stdin. */
export interface NotificationPayload {
  protocol: typeof notificationTag;
  id: string;
  kind: NotificationKind;
  handler: string;
  time: string;
  count?: number;
  event: CheckEvent;
}

export function notificationPayload(n: Notification, handler: string): NotificationPayload {
  return { protocol: notificationTag, id: n.id, kind: n.kind, handler, time: new Date(n.time).toISOString(), ...(n.count !== undefined ? { count: n.count } : {}), event: n.event };
}

/** Names the email templates may use (`{{identity}}`, `{{event.output}}`, ...). */
export const templateRoots = [
  'id',
  'kind',
  'summary',
  'identity',
  'check',
  'collective',
  'state',
  'STATE',
  'previous',
  'PREVIOUS',
  'hard',
  'output',
  'perfdata',
  'time',
  'count',
  'handler',
  'event',
] as const;

const upper = (s: string): string => s.toUpperCase();

/** One line saying what happened: `web1 load: CRITICAL (was OK)`. */
export function summary(n: Notification): string {
  const e = n.event;
  const what = `${e.identity} ${e.check}`;
  switch (n.kind) {
    case 'change':
      return `${what}: ${upper(e.state)} (was ${upper(e.previous)})`;
    case 'renotify':
      return `${what}: still ${upper(e.state)} (reminder ${n.count ?? 1}, since ${new Date(e.time).toISOString()})`;
    case 'flapping':
      return `${what}: FLAPPING, notifications suppressed until it settles (now ${upper(e.state)})`;
    case 'settled':
      return `${what}: settled at ${upper(e.state)}, notifications resume`;
  }
}

/** The variables of the email templates. */
export function templateVariables(n: Notification, handler: string): Record<string, unknown> {
  const e = n.event;
  return {
    id: n.id,
    kind: n.kind,
    summary: summary(n),
    identity: e.identity,
    check: e.check,
    collective: e.collective,
    state: e.state,
    STATE: upper(e.state),
    previous: e.previous,
    PREVIOUS: upper(e.previous),
    hard: e.hard,
    output: e.output,
    perfdata: e.perfdata.map((p) => `${p.label}=${p.value}${p.uom ?? ''}`).join(' '),
    time: new Date(e.time).toISOString(),
    count: n.count ?? 0,
    handler,
    event: e,
  };
}

export const defaultSubject = '[cohort] {{summary}}';
export const defaultBody = [
  '{{summary}}',
  '',
  'Node:     {{identity}} (collective {{collective}})',
  'Check:    {{check}}',
  'State:    {{STATE}} (was {{PREVIOUS}}), hard: {{hard}}',
  'Since:    {{time}}',
  'Output:   {{output}}',
  'Perfdata: {{perfdata}}',
  '',
  'Notification {{id}} ({{kind}}) by handler {{handler}}.',
  '',
].join('\n');
