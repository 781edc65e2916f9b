import { errorMessage, InputError, type Signer } from '@cohort/core';
import { limitTargets, parseCount, prepareRequest, withAgent, type Client, type Count } from '@cohort/client';
import { FilterError, parseWebFilter } from '../fleet.js';
import { countArg, ddlOf, HttpError, str } from '../http-error.js';
import { newJobId, type JobDetail, type JobRecord, type JobReply } from '../jobs.js';
import { SignerProblem, UserSigners } from '../signers.js';
import { openEventStream } from '../sse.js';
import { allowed, type WebUser } from '../users.js';
import type { RouteContext } from './context.js';

/**
 * Running actions: validating inputs, starting a job on the matching nodes
 * (signed per user), the job list, one job, its replies as a live event
 * stream, and retrying a finished job's failed and silent nodes.
 */
export function runRoutes({ deps, route, fleet, jobs, headers }: RouteContext): void {
  const { config, log } = deps;
  const signers = new UserSigners();
  const clients = new Map<string, Client>();

  const prepare = (agent: string, action: string, inputs: unknown) => {
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) throw new HttpError(400, "'inputs' must be an object of input name to value", 'inputs');
    ddlOf(deps.ddl, agent);
    try {
      return prepareRequest(deps.ddl, agent, action, { data: inputs as Record<string, unknown> });
    } catch (err) {
      if (err instanceof InputError) throw new HttpError(400, err.message, err.input);
      throw new HttpError(400, errorMessage(err), 'action');
    }
  };

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

  const jobOf = async (id: string): Promise<JobDetail> => {
    const d = await jobs.get(id);
    if (!d) throw new HttpError(404, `no job '${id}'`);
    return d;
  };

  route<{ agent?: unknown; action?: unknown; inputs?: unknown }>('POST', '/api/validate', async (req) => {
    prepare(str(req.body?.agent, 'agent')!, str(req.body?.action, 'action')!, req.body?.inputs ?? {});
    return { ok: true };
  });

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
}
