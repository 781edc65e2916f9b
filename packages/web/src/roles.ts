/**
 * Who may call what: every route of the API with the role it needs. The
 * server registers its routes from this table (a route missing here cannot
 * be served), and the unit tests check it: every method other than GET
 * needs a CSRF token, and everything that changes the fleet needs admin.
 */

export type Need = 'public' | 'session' | 'admin';

export interface RouteRule {
  method: 'GET' | 'POST';
  path: string;
  need: Need;
  /** What a watcher is told when refused (admin routes). */
  refusal?: string;
  /** Changes something outside the console (runs actions on nodes). */
  changes: boolean;
}

export const routeTable: readonly RouteRule[] = [
  { method: 'POST', path: '/api/login', need: 'public', changes: false },
  { method: 'POST', path: '/api/logout', need: 'session', changes: false },
  { method: 'GET', path: '/api/session', need: 'session', changes: false },
  { method: 'GET', path: '/api/nodes', need: 'session', changes: false },
  { method: 'GET', path: '/api/nodes/:identity', need: 'session', changes: false },
  { method: 'GET', path: '/api/count', need: 'session', changes: false },
  { method: 'GET', path: '/api/agents', need: 'session', changes: false },
  { method: 'GET', path: '/api/agents/:agent', need: 'session', changes: false },
  { method: 'POST', path: '/api/validate', need: 'session', changes: false },
  { method: 'POST', path: '/api/run', need: 'admin', refusal: 'watchers cannot run actions', changes: true },
  { method: 'GET', path: '/api/jobs', need: 'session', changes: false },
  { method: 'GET', path: '/api/jobs/:id', need: 'session', changes: false },
  { method: 'GET', path: '/api/jobs/:id/stream', need: 'session', changes: false },
  { method: 'POST', path: '/api/jobs/:id/retry', need: 'admin', refusal: 'watchers cannot retry jobs', changes: true },
  { method: 'GET', path: '/api/events', need: 'session', changes: false },
  { method: 'GET', path: '/api/stats', need: 'session', changes: false },
  { method: 'GET', path: '/api/install', need: 'session', changes: false },
];

/** The rule of `method path` (path as registered, with :params). */
export function ruleFor(method: string, path: string): RouteRule | undefined {
  return routeTable.find((r) => r.method === method && r.path === path);
}

/** Whether a user with `role` passes `rule` (authentication aside). */
export function roleAllows(rule: RouteRule, role: 'admin' | 'watcher'): boolean {
  return rule.need !== 'admin' || role === 'admin';
}

/** Methods that must carry X-CSRF-Token. */
export function needsCsrf(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}
