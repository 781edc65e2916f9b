import type { Session } from './model/types.ts';

/** The web API as the page calls it: JSON in and out, the CSRF header on every change. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrf = '';

export function setCsrf(token: string): void {
  csrf = token;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error?: unknown; field?: unknown };
    const message = typeof e.error === 'string' ? e.error : `${method} ${path}: HTTP ${res.status}`;
    if (res.status === 401 && path !== '/api/login' && path !== '/api/session') onUnauthorized();
    throw new ApiError(res.status, message, typeof e.field === 'string' ? e.field : undefined);
  }
  return json as T;
}

let onUnauthorized: () => void = () => undefined;

/** Called when a request finds the session gone (the page shows the login form again). */
export function whenLoggedOut(f: () => void): void {
  onUnauthorized = f;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
  async login(user: string, password: string): Promise<Session> {
    const s = await call<Session>('POST', '/api/login', { user, password });
    setCsrf(s.csrf);
    return s;
  },
  async session(): Promise<Session> {
    const s = await call<Session>('GET', '/api/session');
    setCsrf(s.csrf);
    return s;
  },
};

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
