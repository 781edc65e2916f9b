import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import { errorMessage } from '@cohort/core';
import { Registry } from '@cohort/client';
import { securityHeaders } from './headers.js';
import { Fleet, RegistrySource } from './fleet.js';
import { HttpError } from './http-error.js';
import { Jobs } from './jobs.js';
import { needsCsrf, roleAllows, ruleFor } from './roles.js';
import { loadSecret, passwordGeneration, SessionCodec, sessionCookie } from './session.js';
import { defaultUiDir } from './static.js';
import { UsersFile } from './users-file.js';
import { authRoutes } from './routes/auth.js';
import type { ConsoleDeps, Route, RouteContext } from './routes/context.js';
import { eventRoutes } from './routes/events.js';
import { fleetRoutes } from './routes/fleet.js';
import { runRoutes } from './routes/runs.js';
import { staticRoutes } from './routes/static.js';
import { statsRoutes } from './routes/stats.js';

/**
 * Build the console (routes registered, not listening): the HTTP server
 * (JSON bodies only, security headers on every response, errors as the
 * JSON of WEB-API.md), the sessions, the registry and the job store; then
 * each area's routes (routes/*.ts), every API route behind the guard that
 * applies its rule from the roles table (roles.ts).
 */
export async function buildConsole(deps: ConsoleDeps): Promise<{ app: FastifyInstance; jobs: Jobs; fleet: Fleet }> {
  const { config, log } = deps;
  const tls = config.tls !== undefined;
  const https = tls ? { key: readFileSync(config.tls!.key), cert: readFileSync(config.tls!.cert) } : null;
  // forceCloseConnections: open event streams must not keep a stopping console alive.
  const options = { logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true } as const;
  const app = (https ? Fastify({ ...options, https }) : Fastify(options)) as unknown as FastifyInstance;
  await app.register(cookie);
  // JSON bodies only; an empty one (a POST without data) is no body rather than an error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const body = String(text);
    if (body.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body) as unknown);
    } catch (err) {
      done(new HttpError(400, `the request body is not JSON: ${errorMessage(err)}`), undefined);
    }
  });
  const sessions = new SessionCodec({ secret: loadSecret(config.secretFile), idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs });
  const users = new UsersFile(config.usersFile, log);
  const registries = new RegistrySource(() => Registry.open(deps.bus, deps.collective, deps.nodeTrust));
  const fleet = new Fleet({ registry: () => registries.get(), bus: deps.bus, collective: deps.collective, trust: deps.nodeTrust });
  // Read (and verify) the registry before serving: the first page load need not wait for it.
  const registry = await registries.get();
  if (registry.unavailable !== undefined) log.warn(`the registry cannot be read yet: ${registry.unavailable}`);
  else log.info(`registry: ${registry.nodes().length} node(s) verified`);
  const jobs = new Jobs({ bus: deps.bus, bucket: config.jobs.bucket, keep: config.jobs.keep, log });
  await jobs.open();
  for (const { sid, until } of await jobs.logouts(Date.now())) sessions.restoreRevoked(sid, until);
  const headers = securityHeaders(tls);

  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: tls, maxAge: Math.round(config.sessionMaxMs / 1000) };

  app.addHook('onRequest', async (_req, reply) => {
    reply.headers(headers);
  });
  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof HttpError) {
      void reply.code(err.status).headers(err.headers).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
      return;
    }
    const e = err as { statusCode?: number; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      void reply.code(e.statusCode).send({ error: e.message ?? 'bad request' });
      return;
    }
    log.error(`request failed: ${errorMessage(err)}`);
    void reply.code(500).send({ error: `internal error: ${errorMessage(err)}` });
  });

  /** Authenticate and authorize a request by its route's rule. */
  const guard = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const rule = req.routeOptions.config.rule;
    if (!rule) throw new HttpError(500, 'route without a rule');
    if (rule.need === 'public') return;
    const check = sessions.decode(req.cookies[sessionCookie]);
    if (!check.ok) throw new HttpError(401, 'not logged in');
    const user = users.get(check.session.user);
    if (!user || passwordGeneration(user.password) !== check.session.generation) throw new HttpError(401, 'not logged in');
    if (needsCsrf(req.method) && !sessions.checkCsrf(check.session, req.headers['x-csrf-token'] as string | undefined)) {
      throw new HttpError(403, 'missing or wrong X-CSRF-Token header (take it from /api/session)');
    }
    if (!roleAllows(rule, user.role)) throw new HttpError(403, rule.refusal ?? 'watchers cannot change anything');
    req.webUser = user;
    req.webSession = check.session;
    if (check.refresh) reply.setCookie(sessionCookie, sessions.encode(sessions.touch(check.session)), cookieOptions);
  };

  const route: Route = (method, path, handler) => {
    const rule = ruleFor(method, path);
    if (!rule) throw new Error(`route ${method} ${path} is not in the roles table`);
    app.route({ method, url: path, config: { rule }, preHandler: guard, handler: handler as never });
  };

  const context: RouteContext = { deps, route, sessions, users, fleet, jobs, headers, cookieOptions };
  authRoutes(context);
  fleetRoutes(context);
  runRoutes(context);
  eventRoutes(context);
  statsRoutes(context);
  staticRoutes(app, config.uiDir ?? defaultUiDir());

  return { app, jobs, fleet };
}
