// The web console's security parts without a network: password hashing
// (scrypt), signed-cookie sessions (tampering, idle and absolute expiry,
// logout, password change), CSRF tokens, the login rate limiter, the roles
// table (every changing route admin-only and CSRF-checked), the allow-list,
// and the security headers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, hashProblem, verifyPassword } from '../../packages/web/src/password.ts';
import { loadSecret, passwordGeneration, SessionCodec } from '../../packages/web/src/session.ts';
import { RateLimiter } from '../../packages/web/src/rate-limit.ts';
import { needsCsrf, roleAllows, routeTable, ruleFor } from '../../packages/web/src/roles.ts';
import { allowed } from '../../packages/web/src/users.ts';
import { contentSecurityPolicy, securityHeaders } from '../../packages/web/src/headers.ts';

const fast = { logN: 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  test('a hash verifies its password only, and names its parameters', async () => {
    const h = await hashPassword('correct horse', fast);
    assert.match(h, /^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(hashProblem(h), undefined);
    assert.equal(await verifyPassword('correct horse', h), true);
    assert.equal(await verifyPassword('correct horsE', h), false);
    assert.equal(await verifyPassword('', h), false);
  });
  test('two hashes of one password differ (salt)', async () => {
    assert.notEqual(await hashPassword('same', fast), await hashPassword('same', fast));
  });
  test('the default cost is 2^15', async () => {
    assert.match(await hashPassword('x'), /^scrypt\$15\$8\$1\$/);
  });
  test('malformed hashes are named and never verify', async () => {
    for (const bad of ['', 'plain', 'scrypt$10$8$1$salt', 'bcrypt$10$8$1$c2FsdHNhbHQ=$aGFzaA==', 'scrypt$40$8$1$c2FsdHNhbHQ=$aGFzaA==']) {
      assert.ok(hashProblem(bad), bad);
      assert.equal(await verifyPassword('x', bad), false);
    }
  });
  test('an empty password is refused', async () => {
    await assert.rejects(hashPassword('', fast), /empty/);
  });
});

describe('sessions: signed cookies', () => {
  const secret = Buffer.alloc(32, 7);
  let now = 1_000_000;
  const codec = new SessionCodec({ secret, idleMs: 60 * 60_000, maxMs: 8 * 60 * 60_000, now: () => now });

  test('a session round-trips; a tampered or foreign cookie does not', () => {
    const s = codec.create('alice', 'scrypt$hash');
    const cookie = codec.encode(s);
    const back = codec.decode(cookie);
    assert.ok(back.ok);
    assert.equal(back.session.user, 'alice');
    assert.equal(back.session.generation, passwordGeneration('scrypt$hash'));
    const [body, mac] = cookie.split('.') as [string, string];
    const forgedBody = Buffer.from(JSON.stringify(['admin', s.sid, s.issued, s.active, s.generation])).toString('base64url');
    assert.deepEqual(codec.decode(`${forgedBody}.${mac}`), { ok: false, reason: 'session cookie signature does not match' });
    assert.equal(codec.decode(`${body}.${mac.slice(0, -2)}xx`).ok, false);
    const other = new SessionCodec({ secret: Buffer.alloc(32, 8), idleMs: 1000, maxMs: 2000, now: () => now });
    assert.equal(other.decode(cookie).ok, false);
    for (const junk of [undefined, '', 'nodot', '.', 'a.b']) assert.equal(codec.decode(junk).ok, false);
  });

  test('idle and absolute expiry; touching refreshes the idle clock', () => {
    now = 1_000_000;
    const s = codec.create('alice', 'h');
    now += 59 * 60_000;
    const fresh = codec.decode(codec.encode(s));
    assert.ok(fresh.ok && fresh.refresh);
    const touched = codec.encode(codec.touch(s));
    now += 59 * 60_000;
    assert.ok(codec.decode(touched).ok);
    assert.deepEqual(codec.decode(codec.encode(s)), { ok: false, reason: 'session expired (idle)' });
    // Active all along, but past session_max.
    let active = s;
    for (let i = 0; i < 8; i++) {
      now += 58 * 60_000;
      active = codec.touch(active);
    }
    assert.deepEqual(codec.decode(codec.encode(active)), { ok: false, reason: 'session expired' });
  });

  test('logout revokes that session only', () => {
    const a = codec.create('alice', 'h');
    const b = codec.create('alice', 'h');
    codec.revoke(a);
    assert.deepEqual(codec.decode(codec.encode(a)), { ok: false, reason: 'logged out' });
    assert.ok(codec.decode(codec.encode(b)).ok);
  });

  test('CSRF tokens: per session, checked in constant time, never empty', () => {
    const a = codec.create('alice', 'h');
    const b = codec.create('alice', 'h');
    assert.ok(codec.checkCsrf(a, codec.csrf(a)));
    assert.equal(codec.checkCsrf(a, codec.csrf(b)), false);
    assert.equal(codec.checkCsrf(a, undefined), false);
    assert.equal(codec.checkCsrf(a, ''), false);
    assert.equal(codec.checkCsrf(a, codec.csrf(a).slice(1)), false);
  });

  test('a short secret is refused', () => {
    assert.throws(() => new SessionCodec({ secret: Buffer.alloc(16), idleMs: 1, maxMs: 1 }), /32 bytes/);
  });

  test('the secret file is created 0600 and refused when others can read it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-web-secret-'));
    try {
      const file = join(dir, 'web.secret');
      const first = loadSecret(file);
      assert.equal(first.length, 32);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(loadSecret(file), first);
      chmodSync(file, 0o644);
      assert.throws(() => loadSecret(file), /readable by others.*chmod 600/);
      const short = join(dir, 'short.secret');
      writeFileSync(short, 'abcd\n', { mode: 0o600 });
      assert.throws(() => loadSecret(short), /at least 64 hex digits/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('login rate limiter', () => {
  test('max failures per key within the window, then Retry-After until the oldest leaves it', () => {
    let now = 0;
    const rl = new RateLimiter({ max: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      assert.equal(rl.retryAfter('user:bob'), 0);
      rl.fail('user:bob');
      now += 1000;
    }
    assert.equal(rl.retryAfter('user:bob'), 57);
    assert.equal(rl.retryAfter('user:alice'), 0);
    now = 60_001;
    assert.equal(rl.retryAfter('user:bob'), 0);
    rl.fail('user:bob');
    rl.fail('user:bob');
    // In the window: the failures at 1 s and 2 s and the two new ones; the one at 2 s leaves it 2 s from now.
    assert.equal(rl.retryAfter('user:bob'), 2);
  });
  test('clear forgets a key', () => {
    const rl = new RateLimiter({ max: 1, windowMs: 60_000 });
    rl.fail('k');
    assert.ok(rl.retryAfter('k') > 0);
    rl.clear('k');
    assert.equal(rl.retryAfter('k'), 0);
  });
});

describe('roles table', () => {
  test('every route that changes something needs admin; only login is public', () => {
    for (const r of routeTable) {
      if (r.changes) assert.equal(r.need, 'admin', `${r.method} ${r.path}`);
      if (r.need === 'admin') assert.match(r.refusal ?? '', /^watchers cannot /);
      assert.equal(r.need === 'public', r.path === '/api/login', `${r.method} ${r.path}`);
    }
    assert.deepEqual(routeTable.filter((r) => r.changes).map((r) => `${r.method} ${r.path}`), ['POST /api/run', 'POST /api/jobs/:id/retry']);
  });
  test('watchers pass read routes and fail admin routes', () => {
    assert.equal(roleAllows(ruleFor('POST', '/api/run')!, 'watcher'), false);
    assert.equal(roleAllows(ruleFor('POST', '/api/run')!, 'admin'), true);
    assert.equal(roleAllows(ruleFor('POST', '/api/jobs/:id/retry')!, 'watcher'), false);
    for (const r of routeTable.filter((x) => x.method === 'GET')) assert.equal(roleAllows(r, 'watcher'), true, r.path);
  });
  test('every method but GET and HEAD needs the CSRF header', () => {
    assert.equal(needsCsrf('GET'), false);
    assert.equal(needsCsrf('HEAD'), false);
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) assert.equal(needsCsrf(m), true);
  });
  test('allow-lists: agent.* and agent.action; none means everything', () => {
    assert.equal(allowed(undefined, 'nrpe', 'runcommand'), true);
    assert.equal(allowed(['rpcutil.*'], 'rpcutil', 'ping'), true);
    assert.equal(allowed(['rpcutil.*'], 'nrpe', 'runcommand'), false);
    assert.equal(allowed(['nrpe.runcommand'], 'nrpe', 'runcommand'), true);
    assert.equal(allowed(['nrpe.runcommand'], 'nrpe', 'runallcommands'), false);
    assert.equal(allowed([], 'rpcutil', 'ping'), false);
  });
});

describe('security headers', () => {
  test('the CSP of WEB-API.md and the rest; HSTS only with TLS', () => {
    assert.equal(contentSecurityPolicy, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    const h = securityHeaders(false);
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['referrer-policy'], 'no-referrer');
    assert.equal(h['x-frame-options'], 'DENY');
    assert.equal(h['strict-transport-security'], undefined);
    assert.ok(securityHeaders(true)['strict-transport-security']);
  });
});
