import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import { errorMessage, InputError, type Signer, type TrustStore } from '@cohort/core';
import { checks, limitTargets, parseCount, prepareRequest, Registry, systemClock, withAgent, type Bus, type Client, type Count, type DdlSource } from '@cohort/client';
import type { WebConfig } from './config.js';
import { securityHeaders } from './headers.js';
import { Fleet, FilterError, parseWebFilter, RegistrySource } from './fleet.js';
import { Jobs, newJobId, type JobRecord, type JobReply, type JobDetail } from './jobs.js';
import { decoyHash, verifyPassword } from './password.js';
import { RateLimiter } from './rate-limit.js';
import { needsCsrf, roleAllows, routeTable, type RouteRule } from './roles.js';
import { loadSecret, passwordGeneration, SessionCodec, sessionCookie, type SessionData } from './session.js';
import { SignerProblem, UserSigners } from './signers.js';
import { allowed, type WebUser } from './users.js';
import { installInfo } from './install.js';
import { graphiteStats, StatsError } from './stats.js';
import { findResultsTemplate } from './templates.js';
import { defaultUiDir, sendUiFile } from './static.js';
import { openEventStream } from './sse.js';
import { UsersFile } from './users-file.js';

export interface ConsoleLog {
  info(m: string): void;
  warn(m: string): void;
  error(m: string): void;
}

/** What the console needs from the CLI's session: the bus, the collective, the DDLs, trust, clients per signer. */
export interface ConsoleDeps {
  config: WebConfig;
  bus: Bus;
  servers: readonly string[];
  collective: string;
  ddl: DdlSource;
  nodeTrust: TrustStore | undefined;
  /** A client on the shared bus signing with `signer` (unsigned as `callerid` without one). */
  clientFor(signer: Signer | undefined, callerid: string): Promise<Client>;
  log: ConsoleLog;
}

/** An HTTP error with the JSON body of WEB-API.md. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    webUser?: WebUser;
    webSession?: SessionData;
  }
  interface FastifyContextConfig {
    rule?: RouteRule;
  }
}

function str(v: unknown, field: string, optional = false): string | undefined {
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new HttpError(400, `'${field}' is missing`, field);
  }
  if (typeof v !== 'string') throw new HttpError(400, `'${field}' must be a string`, field);
  return v;
}

function countArg(v: unknown, field: string): Count | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'number' && typeof v !== 'string') throw new HttpError(400, `'${field}' must be a number of nodes or a percentage like 25%`, field);
  try {
    parseCount(v, field);
  } catch (err) {
    throw new HttpError(400, errorMessage(err), field);
  }
  return v;
}

/** Build the console (routes registered, not listening). */
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
  const perUser = new RateLimiter({ max: config.loginLimit.perUser, windowMs: config.loginLimit.windowMs });
  const perAddress = new RateLimiter({ max: config.loginLimit.perAddress, windowMs: config.loginLimit.windowMs });
  const signers = new UserSigners();
  const registries = new RegistrySource(() => Registry.open(deps.bus, deps.collective, systemClock, deps.nodeTrust));
  const fleet = new Fleet({ registry: () => registries.get(), bus: deps.bus, collective: deps.collective, trust: deps.nodeTrust });
  // Read (and verify) the registry before serving: the first page load need not wait for it.
  const registry = await registries.get();
  if (registry.unavailable !== undefined) log.warn(`the registry cannot be read yet: ${registry.unavailable}`);
  else log.info(`registry: ${registry.nodes().length} node(s) verified`);
  const jobs = new Jobs({ bus: deps.bus, bucket: config.jobs.bucket, keep: config.jobs.keep, log });
  await jobs.open();
  for (const { sid, until } of await jobs.logouts(Date.now())) sessions.restoreRevoked(sid, until);
  const uiDir = config.uiDir ?? defaultUiDir();
  const headers = securityHeaders(tls);
  const clients = new Map<string, Client>();

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
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/assets/')) return sendUiFile(reply, uiDir, 'index.html');
    void reply.code(404).send({ error: `no such endpoint: ${req.method} ${req.url.split('?')[0]}` });
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

  const route = <B = unknown, Q = Record<string, string | undefined>, P = Record<string, string>>(
    method: 'GET' | 'POST',
    path: string,
    handler: (req: FastifyRequest<{ Body: B; Querystring: Q; Params: P }>, reply: FastifyReply) => Promise<unknown>,
  ) => {
    const rule = routeTable.find((r) => r.method === method && r.path === path);
    if (!rule) throw new Error(`route ${method} ${path} is not in the roles table`);
    app.route({ method, url: path, config: { rule }, preHandler: guard, handler: handler as never });
  };

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

  route<unknown, { filter?: string; group?: string }>('GET', '/api/nodes', async (req) => {
    try {
      return await fleet.nodes(parseWebFilter(req.query.filter), req.query.group);
    } catch (err) {
      if (err instanceof FilterError) throw new HttpError(400, err.message, req.query.group !== undefined && /group/.test(err.message) ? 'group' : 'filter');
      throw err;
    }
  });

  route<unknown, unknown, { identity: string }>('GET', '/api/nodes/:identity', async (req) => {
    const node = await fleet.node(req.params.identity);
    if (!node) throw new HttpError(404, `no node '${req.params.identity}' in the registry`);
    return node;
  });

  route<unknown, { filter?: string }>('GET', '/api/count', async (req) => {
    try {
      return { count: (await fleet.match(parseWebFilter(req.query.filter))).length };
    } catch (err) {
      if (err instanceof FilterError) throw new HttpError(400, err.message, 'filter');
      throw err;
    }
  });

  const ddlOf = (agent: string) => {
    try {
      return deps.ddl.get(agent);
    } catch (err) {
      throw new HttpError(404, errorMessage(err), 'agent');
    }
  };

  route('GET', '/api/agents', async () => {
    const nodes = await fleet.registered();
    const counts = new Map<string, number>();
    for (const n of nodes) for (const a of n.record.agents) counts.set(a, (counts.get(a) ?? 0) + 1);
    const out = [];
    for (const name of [...counts.keys()].sort()) {
      let ddl;
      try {
        ddl = deps.ddl.get(name);
      } catch {
        out.push({ name, metadata: { name, description: '(no DDL on the console: add its directory to ddl_dirs)' }, actions: [], nodes: counts.get(name)!, versions: {} });
        continue;
      }
      out.push({ name, metadata: ddl.metadata, actions: ddl.actions.map((a: { action: string }) => a.action), nodes: counts.get(name)!, versions: { [ddl.metadata.version]: counts.get(name)! } });
    }
    return out;
  });

  route<unknown, unknown, { agent: string }>('GET', '/api/agents/:agent', async (req) => {
    const ddl = ddlOf(req.params.agent);
    const template = findResultsTemplate(deps.ddl.dirs, req.params.agent);
    if (template.problem) log.warn(template.problem);
    return template.text === undefined ? ddl : { ...ddl, resultsTemplate: template.text };
  });

  const prepare = (agent: string, action: string, inputs: unknown) => {
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) throw new HttpError(400, "'inputs' must be an object of input name to value", 'inputs');
    ddlOf(agent);
    try {
      return prepareRequest(deps.ddl, agent, action, { data: inputs as Record<string, unknown> });
    } catch (err) {
      if (err instanceof InputError) throw new HttpError(400, err.message, err.input);
      throw new HttpError(400, errorMessage(err), 'action');
    }
  };

  route<{ agent?: unknown; action?: unknown; inputs?: unknown }>('POST', '/api/validate', async (req) => {
    prepare(str(req.body?.agent, 'agent')!, str(req.body?.action, 'action')!, req.body?.inputs ?? {});
    return { ok: true };
  });

  /** The client signing as `user`, or a 403/500 saying why there is none. */
  const clientOf = async (user: WebUser): Promise<Client> => {
    let signer: Signer | undefined;
    try {
      signer = signers.get(user);
    } catch (err) {
      if (err instanceof SignerProblem) throw new HttpError(500, err.message);
      throw err;
    }
    if (!signer && config.requireSigning) {
      throw new HttpError(403, `web user ${user.name} has no signing key: requests from the console are signed per person; give them one with cohort web passwd ${user.name} --key FILE (made by cohort keys generate and certified by cohort keys sign)`);
    }
    const callerid = signer?.subject ?? `user=${user.name}`;
    const cacheKey = `${callerid}\0${signer ? signer.publicKey ?? '' : 'unsigned'}`;
    let c = clients.get(cacheKey);
    if (!c) {
      c = await deps.clientFor(signer, callerid);
      clients.set(cacheKey, c);
    }
    return c;
  };

  const launch = async (user: WebUser, agent: string, action: string, inputs: unknown, targetsOf: () => Promise<string[]>, extra: Partial<JobRecord>, limit: Count | undefined) => {
    if (!allowed(user.allow, agent, action)) throw new HttpError(403, `${user.name} may not run ${agent}.${action}: their allow-list is ${user.allow!.join(', ')}`, 'action');
    const prepared = prepare(agent, action, inputs);
    const client = await clientOf(user);
    let targets = await targetsOf();
    if (limit !== undefined) targets = limitTargets(targets, parseCount(limit, 'limit'));
    if (targets.length === 0) throw new HttpError(400, `no node with agent ${agent} matches the filter`, 'filter');
    const now = Date.now();
    const record: JobRecord = {
      id: newJobId(now),
      user: user.name,
      callerid: client.caller.callerid,
      agent,
      action,
      inputs: prepared.data,
      filter: '',
      started: now,
      discovered: targets.length,
      ok: 0,
      failed: 0,
      noreply: 0,
      ...extra,
      ...(limit !== undefined ? { limit } : {}),
    };
    jobs.start(client, prepared.action, record, targets, prepared.data);
    log.info(`job ${record.id}: ${user.name} runs ${agent}.${action} on ${targets.length} node(s)`);
    return { job: record.id, discovered: targets.length };
  };

  route<{ agent?: unknown; action?: unknown; inputs?: unknown; filter?: unknown; nodes?: unknown; batch?: unknown; limit?: unknown }>('POST', '/api/run', async (req, reply) => {
    const b = req.body ?? {};
    const agent = str(b.agent, 'agent')!;
    const action = str(b.action, 'action')!;
    const filterText = str(b.filter, 'filter', true) ?? '';
    let nodes: string[] | undefined;
    if (b.nodes !== undefined && b.nodes !== null) {
      if (!Array.isArray(b.nodes) || !b.nodes.every((n) => typeof n === 'string' && n !== '')) throw new HttpError(400, "'nodes' must be a list of node identities", 'nodes');
      nodes = [...new Set(b.nodes as string[])];
    }
    const batch = countArg(b.batch, 'batch');
    const limit = countArg(b.limit, 'limit');
    let filter;
    try {
      filter = withAgent(parseWebFilter(filterText), agent);
    } catch (err) {
      throw new HttpError(400, errorMessage(err), 'filter');
    }
    const targetsOf = async () => {
      try {
        const matched = await fleet.match(filter);
        if (!nodes) return matched;
        const set = new Set(matched);
        return nodes.filter((n) => set.has(n));
      } catch (err) {
        if (err instanceof FilterError) throw new HttpError(400, err.message, 'filter');
        throw err;
      }
    };
    const started = await launch(req.webUser!, agent, action, b.inputs ?? {}, targetsOf, { filter: filterText, ...(nodes ? { nodes } : {}), ...(batch !== undefined ? { batch } : {}) }, limit);
    return reply.code(202).send(started);
  });

  route<unknown, { limit?: string }>('GET', '/api/jobs', async (req) => {
    const n = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new HttpError(400, "'limit' must be a whole number from 1 to 1000", 'limit');
    return jobs.list(n);
  });

  const jobOf = async (id: string): Promise<JobDetail> => {
    const d = await jobs.get(id);
    if (!d) throw new HttpError(404, `no job '${id}'`);
    return d;
  };

  route<unknown, unknown, { id: string }>('GET', '/api/jobs/:id', async (req) => {
    const d = await jobOf(req.params.id);
    return { job: d.job, replies: d.replies, noreply: d.noreply, summary: d.summary };
  });

  route<unknown, unknown, { id: string }>('GET', '/api/jobs/:id/stream', async (req, reply) => {
    await jobOf(req.params.id);
    const out = openEventStream(reply, headers);
    const stop = await jobs.follow(req.params.id, {
      reply: (r: JobReply) => out.send('reply', r),
      done: (d: JobDetail) => {
        out.send('done', { ok: d.job.ok, failed: d.job.failed, noreply: d.noreply, summary: d.summary });
        out.end();
      },
    });
    out.raw.on('close', () => stop?.());
  });

  route<unknown, unknown, { id: string }>('POST', '/api/jobs/:id/retry', async (req, reply) => {
    const d = await jobOf(req.params.id);
    if (d.job.finished === undefined) throw new HttpError(409, `job ${d.job.id} is still running`);
    const failed = d.replies.filter((r) => r.statuscode !== 0).map((r) => r.identity);
    const again = [...new Set([...failed, ...d.noreply])];
    if (again.length === 0) throw new HttpError(400, `job ${d.job.id} has no failed or unanswered nodes to retry`);
    const started = await launch(req.webUser!, d.job.agent, d.job.action, d.job.inputs, async () => again, { filter: d.job.filter, nodes: again, retryOf: d.job.id, ...(d.job.batch !== undefined ? { batch: d.job.batch } : {}) }, undefined);
    return reply.code(202).send(started);
  });

  route('GET', '/api/events', async (_req, reply) => {
    const trust = deps.nodeTrust;
    if (!trust) throw new HttpError(404, 'no trusted issuer configured: check events cannot be verified (set issuers in the client config)');
    const out = openEventStream(reply, headers);
    let follow: Awaited<ReturnType<typeof checks.watchCheckEvents>>;
    try {
      follow = await checks.watchCheckEvents(deps.bus, {
        collective: deps.collective,
        trust,
        onEvent: (e) => out.send('check', { identity: e.identity, check: e.check, state: e.state.toUpperCase(), previous: e.previous.toUpperCase(), output: e.output, time: e.time }),
      });
    } catch (err) {
      // The stream is already open: say why in it, then end it.
      log.warn(`following check events failed: ${errorMessage(err)}`);
      out.send('error', { error: `check events cannot be followed: ${errorMessage(err)}` });
      out.end();
      return;
    }
    if ('missing' in follow) {
      out.send('error', { error: checks.noCheckEvents(follow.missing) });
      out.end();
      return;
    }
    const stop = follow.stop.bind(follow);
    if (out.raw.destroyed) void stop();
    else out.raw.on('close', () => void stop());
  });

  route<unknown, { identity?: string; metric?: string; from?: string }>('GET', '/api/stats', async (req) => {
    if (!config.graphiteUrl) throw new HttpError(404, 'no metrics source configured');
    try {
      return await graphiteStats(config.graphiteUrl, config.graphitePrefix, req.query);
    } catch (err) {
      if (err instanceof StatsError) throw new HttpError(err.status, err.message, err.field);
      throw err;
    }
  });

  route('GET', '/api/install', async () => installInfo({ servers: deps.servers, natsUrlForNodes: config.natsUrlForNodes, collective: deps.collective }));

  app.get('/', async (_req, reply) => sendUiFile(reply, uiDir, 'index.html'));
  app.get('/assets/*', async (req, reply) => sendUiFile(reply, uiDir, `assets/${(req.params as { '*': string })['*']}`));

  return { app, jobs, fleet };
}
