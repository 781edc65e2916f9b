import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '@cohort/core';

/**
 * Sessions as signed cookies: the cookie carries who is logged in and when
 * they were last active, with an HMAC-SHA256 over it under a secret only this
 * process knows (a file created mode 0600 on first start). Nothing is stored
 * per session, so a restart keeps everybody logged in; a logout is
 * remembered (in memory) until the session would have expired anyway, and a
 * password change ends every session of that user (the cookie names a
 * fingerprint of the password hash).
 *
 * The CSRF token is derived from the session id with the same secret: it is
 * handed out by /api/login and /api/session, and every changing request must
 * echo it in X-CSRF-Token (a cross-site page can make the browser send the
 * cookie, but cannot read the token).
 */

export const sessionCookie = 'cohort_session';

export interface SessionData {
  /** The user name. */
  user: string;
  /** Random session id. */
  sid: string;
  /** Issued (unix ms). */
  issued: number;
  /** Last request (unix ms). */
  active: number;
  /** Fingerprint of the user's password hash at login. */
  generation: string;
}

export interface SessionOptions {
  secret: Buffer;
  /** Idle time after which a session ends (ms). */
  idleMs: number;
  /** Time after login after which a session ends however active (ms). */
  maxMs: number;
  now?: () => number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The fingerprint of a password hash kept in the cookie (a passwd ends older sessions). */
export function passwordGeneration(hash: string): string {
  return createHash('sha256').update(hash).digest('base64url').slice(0, 12);
}

export type SessionCheck = { ok: true; session: SessionData; refresh: boolean } | { ok: false; reason: string };

export class SessionCodec {
  readonly #o: SessionOptions;
  readonly #now: () => number;
  /** Logged-out session ids until they would have expired. */
  readonly #revoked = new Map<string, number>();

  constructor(options: SessionOptions) {
    if (options.secret.length < 32) throw new Error('the session secret must be at least 32 bytes');
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  #mac(text: string): Buffer {
    return createHmac('sha256', this.#o.secret).update(text).digest();
  }

  /** A new session for `user` (whose password hash is `hash`). */
  create(user: string, hash: string): SessionData {
    const now = this.#now();
    return { user, sid: randomBytes(18).toString('base64url'), issued: now, active: now, generation: passwordGeneration(hash) };
  }

  /** The cookie value of `s`. */
  encode(s: SessionData): string {
    const body = b64(JSON.stringify([s.user, s.sid, s.issued, s.active, s.generation]));
    return `${body}.${b64(this.#mac(`session\0${body}`))}`;
  }

  /** Check a cookie value: signature, expiry, logout. `refresh` says the cookie should be re-issued with a new activity time. */
  decode(value: string | undefined): SessionCheck {
    if (value === undefined || value === '') return { ok: false, reason: 'no session' };
    const dot = value.indexOf('.');
    if (dot < 0) return { ok: false, reason: 'malformed session cookie' };
    const body = value.slice(0, dot);
    const mac = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.#mac(`session\0${body}`);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return { ok: false, reason: 'session cookie signature does not match' };
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed session cookie' };
    }
    if (!Array.isArray(fields) || fields.length !== 5) return { ok: false, reason: 'malformed session cookie' };
    const [user, sid, issued, active, generation] = fields as [string, string, number, number, string];
    const now = this.#now();
    if (now - active > this.#o.idleMs) return { ok: false, reason: 'session expired (idle)' };
    if (now - issued > this.#o.maxMs) return { ok: false, reason: 'session expired' };
    if (this.#revoked.has(sid)) return { ok: false, reason: 'logged out' };
    const session = { user, sid, issued, active, generation };
    // Re-issue at most once a minute: the cookie's activity time need not be exact.
    return { ok: true, session, refresh: now - active > 60_000 };
  }

  /** The same session, active now. */
  touch(s: SessionData): SessionData {
    return { ...s, active: this.#now() };
  }

  /** Forget a session (logout) until it would have expired; returns until when (unix ms), for keeping it across restarts. */
  revoke(s: SessionData): number {
    const until = s.issued + this.#o.maxMs;
    this.restoreRevoked(s.sid, until);
    return until;
  }

  /** A logout remembered from before a restart (see revoke). */
  restoreRevoked(sid: string, until: number): void {
    const now = this.#now();
    for (const [id, u] of this.#revoked) if (u < now) this.#revoked.delete(id);
    if (until >= now) this.#revoked.set(sid, until);
  }

  /** The CSRF token of a session. */
  csrf(s: SessionData): string {
    return b64(this.#mac(`csrf\0${s.sid}`));
  }

  /** True when `token` is the CSRF token of `s` (constant time). */
  checkCsrf(s: SessionData, token: string | undefined): boolean {
    if (typeof token !== 'string' || token === '') return false;
    const got = Buffer.from(token);
    const want = Buffer.from(this.csrf(s));
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

/**
 * The session secret in `file`: created (32 random bytes, hex, mode 0600) when
 * missing; refused when others can read it or it is too short.
 */
export function loadSecret(file: string): Buffer {
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  let text: string;
  try {
    const st = statSync(file);
    if ((st.mode & 0o077) !== 0) throw new ConfigError(`session secret ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 ${file}`);
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read session secret ${file}: ${errorMessage(err)}`, { cause: err });
  }
  if (!/^[0-9a-f]{64,}$/i.test(text)) throw new ConfigError(`session secret ${file} must hold at least 64 hex digits (delete it to have a new one made; everybody is logged out)`);
  return Buffer.from(text, 'hex');
}
