import type { CheckEvent, CheckState } from '@cohort/core';
import { problemStates, type HandlersConfig, type HandlerSpec } from './config.js';
import type { Notification } from './notification.js';

/**
 * The decisions, as pure functions over one (node, check)'s tracked state:
 * which handlers an event goes to, re-notification of a problem that
 * persists, flap suppression, maintenance. The service stores the record
 * (with the notifications decided but not yet delivered: its outbox) before
 * it delivers anything, so a restart continues where it stopped and decides
 * nothing twice. Time is passed in (tests use a fake clock).
 */

export interface TrackedCheck {
  readonly identity: string;
  readonly check: string;
  /** The newest event handled. */
  readonly event: CheckEvent;
  /** Its key (`id@time`): an event with this key was handled already. */
  readonly eventKey: string;
  /** The handlers the newest event routes to (for reminders and flapping notices). */
  readonly routes: readonly string[];
  /** The state each handler last saw (sent or filtered out); absent: nothing yet, or forgotten by a maintenance. */
  readonly seen: Readonly<Record<string, CheckState>>;
  /** Unix ms of the recent state changes (flap detection). */
  readonly changes: readonly number[];
  readonly flapping: boolean;
  /** Handlers told about the flapping (they get the settled notice). */
  readonly flapTold: readonly string[];
  /** Unix ms of the last notification about the current problem (reminders count from it). */
  readonly lastNotified: number;
  /** Reminders sent for the current problem. */
  readonly reminders: number;
  /** Decided, not yet delivered. */
  readonly outbox: readonly Notification[];
}

/** The key an event is known by: its id, plus its time (a node that lost its sequence reuses ids). */
export function eventKey(e: CheckEvent): string {
  return `${e.id}@${e.time}`;
}

/** Whether the event says the check is in maintenance (silenced). */
export function inMaintenance(e: CheckEvent): boolean {
  return e.state === 'maintenance' || (e.maintenance !== undefined && e.maintenance.until > e.time);
}

/** Handler names an event routes to: its own list, else the config's defaults; names the config lacks are returned apart. */
export function route(e: CheckEvent, config: Pick<HandlersConfig, 'defaults' | 'handlers'>): { handlers: string[]; unknown: string[] } {
  const names = e.handlers.length > 0 ? e.handlers : config.defaults;
  const unique = [...new Set(names)];
  return { handlers: unique.filter((n) => config.handlers.has(n)), unknown: unique.filter((n) => !config.handlers.has(n)) };
}

const isProblem = (s: CheckState | undefined): boolean => s !== undefined && problemStates.includes(s);

/**
 * Whether a handler is told about `e`, given the state it saw last. Problems:
 * when the state is one of its `states` and differs from what it saw.
 * Recoveries (ok): when `ok` is one of its states and it saw a problem.
 */
export function wants(spec: HandlerSpec, e: CheckEvent, seen: CheckState | undefined): boolean {
  if (e.state === 'pending' || e.state === 'maintenance') return false;
  if (spec.hardOnly && !e.hard) return false;
  if (!(spec.states as readonly string[]).includes(e.state)) return false;
  return e.state === 'ok' ? isProblem(seen) : seen !== e.state;
}

export type Decision =
  | { readonly kind: 'seen' }
  | { readonly kind: 'stale'; readonly newer: string }
  | { readonly kind: 'new'; readonly record: TrackedCheck; readonly added: readonly Notification[]; readonly unknown: readonly string[] };

/** Keep the change times within the flap window ending at `now`. */
function recentChanges(changes: readonly number[], config: HandlersConfig, now: number): number[] {
  if (!config.flapping) return [];
  const from = now - config.flapping.windowMs;
  return changes.filter((t) => t > from);
}

/**
 * Decide what an event means for the handlers. `seen`: handled before (its
 * outbox may still hold undelivered notifications); `stale`: older than the
 * newest event of this check (a late redelivery), nothing to do.
 */
export function decide(prev: TrackedCheck | undefined, e: CheckEvent, config: HandlersConfig, now: number): Decision {
  const key = eventKey(e);
  if (prev && prev.eventKey === key) return { kind: 'seen' };
  if (prev && e.sequence <= prev.event.sequence && e.time <= prev.event.time) return { kind: 'stale', newer: prev.event.id };
  const { handlers, unknown } = route(e, config);
  const seen: Record<string, CheckState> = { ...(prev?.seen ?? {}) };
  const outbox = [...(prev?.outbox ?? [])];
  const added: Notification[] = [];
  let changes = recentChanges(prev?.changes ?? [], config, e.time);
  let flapping = prev?.flapping ?? false;
  let flapTold = [...(prev?.flapTold ?? [])];
  let lastNotified = prev?.lastNotified ?? 0;
  let reminders = prev?.reminders ?? 0;

  if (inMaintenance(e)) {
    // Silenced; what handlers saw is forgotten, so the real state after the maintenance is told again.
    for (const h of Object.keys(seen)) delete seen[h];
  } else if (e.state !== 'pending') {
    const changed = prev === undefined || prev.event.state !== e.state;
    if (changed && config.flapping && prev !== undefined && !inMaintenance(prev.event)) changes = [...changes, e.time];
    if (config.flapping && changes.length > config.flapping.changes) {
      if (!flapping) {
        flapping = true;
        flapTold = handlers;
        if (handlers.length > 0) added.push({ id: `${key}:flapping`, kind: 'flapping', handlers, event: e, time: now });
      }
    } else if (!flapping) {
      const told = handlers.filter((h) => wants(config.handlers.get(h)!, e, seen[h]));
      for (const h of handlers) {
        const spec = config.handlers.get(h)!;
        if (e.hard || !spec.hardOnly) seen[h] = e.state;
      }
      if (told.length > 0) {
        added.push({ id: key, kind: 'change', handlers: told, event: e, time: now });
        lastNotified = now;
        reminders = 0;
      }
    }
  }
  outbox.push(...added);
  const record: TrackedCheck = { identity: e.identity, check: e.check, event: e, eventKey: key, routes: handlers, seen, changes, flapping, flapTold, lastNotified, reminders, outbox };
  return { kind: 'new', record, added, unknown };
}

/**
 * What time alone changes: a flapping check that settled (no change for
 * `flapping.settle`) is told as settled; a hard problem that persists is
 * re-notified every `renotify`. Returns undefined when nothing changes.
 */
export function tick(rec: TrackedCheck, config: HandlersConfig, now: number): { record: TrackedCheck; added: readonly Notification[] } | undefined {
  const e = rec.event;
  if (rec.flapping && config.flapping) {
    const last = rec.changes.length > 0 ? Math.max(...rec.changes) : 0;
    if (now - last < config.flapping.settleMs) return undefined;
    const seen: Record<string, CheckState> = { ...rec.seen };
    const live = rec.flapTold.filter((h) => config.handlers.has(h));
    for (const h of live) seen[h] = e.state;
    const n: Notification = { id: `${rec.eventKey}:settled`, kind: 'settled', handlers: live, event: e, time: now };
    const added = live.length > 0 && !inMaintenance(e) ? [n] : [];
    return {
      record: { ...rec, flapping: false, flapTold: [], changes: [], seen, lastNotified: added.length > 0 ? now : rec.lastNotified, reminders: 0, outbox: [...rec.outbox, ...added] },
      added,
    };
  }
  if (config.renotifyMs <= 0 || rec.flapping || inMaintenance(e) || !isProblem(e.state)) return undefined;
  if (rec.lastNotified === 0 || now - rec.lastNotified < config.renotifyMs) return undefined;
  const handlers = rec.routes.filter((h) => {
    const spec = config.handlers.get(h);
    return spec !== undefined && rec.seen[h] === e.state && (spec.states as readonly string[]).includes(e.state) && (e.hard || !spec.hardOnly);
  });
  if (handlers.length === 0) return undefined;
  const count = rec.reminders + 1;
  const n: Notification = { id: `${rec.eventKey}:renotify:${count}`, kind: 'renotify', handlers, event: e, time: now, count };
  return { record: { ...rec, lastNotified: now, reminders: count, outbox: [...rec.outbox, n] }, added: [n] };
}

/** The record with one notification's delivery finished (taken out of the outbox). */
export function delivered(rec: TrackedCheck, id: string): TrackedCheck {
  return { ...rec, outbox: rec.outbox.filter((n) => n.id !== id) };
}
