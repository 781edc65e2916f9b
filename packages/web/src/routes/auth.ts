import type { FastifyRequest } from 'fastify';
import { HttpError, str } from '../http-error.js';
import { decoyHash, verifyPassword } from '../password.js';
import { RateLimiter } from '../rate-limit.js';
import { sessionCookie } from '../session.js';
import type { RouteContext } from './context.js';

/** Logging in and out (failed logins rate-limited per user and per address) and who is logged in. */
export function authRoutes({ deps, route, sessions, users, jobs, cookieOptions }: RouteContext): void {
  const { config, log } = deps;
  const perUser = new RateLimiter({ max: config.loginLimit.perUser, windowMs: config.loginLimit.windowMs });
  const perAddress = new RateLimiter({ max: config.loginLimit.perAddress, windowMs: config.loginLimit.windowMs });

  const me = (req: FastifyRequest) => {
    const u = req.webUser!;
    return { user: u.name, role: u.role, csrf: sessions.csrf(req.webSession!), ...(u.allow ? { allow: u.allow } : {}) };
  };

  route<{ user?: unknown; password?: unknown }>('POST', '/api/login', async (req, reply) => {
    const name = str(req.body?.user, 'user')!;
    const password = str(req.body?.password, 'password')!;
    if (name.length > 64 || password.length > 1024) throw new HttpError(400, name.length > 64 ? "'user' is longer than 64 characters" : "'password' is longer than 1024 characters", name.length > 64 ? 'user' : 'password');
    const addrKey = `addr:${req.ip}`;
    const userKey = `user:${name}`;
    const wait = Math.max(perUser.retryAfter(userKey), perAddress.retryAfter(addrKey));
    if (wait > 0) throw new HttpError(429, `too many failed logins: try again in ${wait} s`, undefined, { 'retry-after': String(wait) });
    const user = users.get(name);
    const ok = user ? await verifyPassword(password, user.password) : (await verifyPassword(password, await decoyHash()), false);
    if (!ok || !user) {
      perUser.fail(userKey);
      perAddress.fail(addrKey);
      log.warn(`failed login for '${name}' from ${req.ip}`);
      throw new HttpError(401, 'wrong user name or password');
    }
    perUser.clear(userKey);
    const session = sessions.create(user.name, user.password);
    reply.setCookie(sessionCookie, sessions.encode(session), cookieOptions);
    log.info(`login: ${user.name} (${user.role}) from ${req.ip}`);
    return { user: user.name, role: user.role, csrf: sessions.csrf(session), ...(user.allow ? { allow: user.allow } : {}) };
  });

  route('POST', '/api/logout', async (req, reply) => {
    await jobs.rememberLogout(req.webSession!.sid, sessions.revoke(req.webSession!));
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.code(204).send();
  });

  route('GET', '/api/session', async (req) => me(req));
}
