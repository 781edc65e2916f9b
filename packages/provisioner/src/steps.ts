import yaml from 'js-yaml';
import { errorMessage } from '@cohort/core';
import { NoReply, StepFailure, type FleetApi } from './fleet.js';
import { chooseMaster, type MasterChoice } from './master.js';
import type { Pipeline } from './pipeline-load.js';
import type { StepName } from './pipeline-spec.js';
import type { StepData } from './state.js';
import { renderTemplate, TemplateError } from './template.js';
import type { Time } from './time.js';

/**
 * The steps, one function each, in a table keyed by step name. A step gets
 * what earlier steps found (`data`) and returns what later ones need; every
 * action it calls is idempotent, so a step may be run again after a crash.
 */

export interface StepContext {
  readonly identity: string;
  readonly pipeline: Pipeline;
  readonly fleet: FleetApi;
  readonly time: Time;
  /** What earlier steps found. */
  readonly data: StepData;
  /** Seconds one try may take. */
  readonly timeoutS: number;
  readonly signal: AbortSignal;
}

type Step = (ctx: StepContext) => Promise<StepData>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Call the provision agent on the node (with the token when there is one). */
function provision(ctx: StepContext, action: string, data: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const { agent, token } = ctx.pipeline.config.provisioning;
  return ctx.fleet.call('provisioning', ctx.identity, agent, action, { ...data, ...(token !== null ? { token } : {}) }, ctx.timeoutS);
}

function need<K extends keyof StepData>(ctx: StepContext, key: K, from: StepName): NonNullable<StepData[K]> {
  const v = ctx.data[key];
  if (v === undefined || v === null) throw new StepFailure(`no ${key} from the ${from} step (is it enabled?)`, { retryable: false });
  return v as NonNullable<StepData[K]>;
}

async function facts(ctx: StepContext): Promise<Record<string, unknown>> {
  if (ctx.data.facts) return ctx.data.facts;
  const inv = await ctx.fleet.call('provisioning', ctx.identity, 'rpcutil', 'inventory', {}, ctx.timeoutS);
  const f = inv['facts'];
  return typeof f === 'object' && f !== null && !Array.isArray(f) ? (f as Record<string, unknown>) : {};
}

const master = (ctx: StepContext): MasterChoice => need(ctx, 'master', 'choose_master');
const certname = (ctx: StepContext): string => ctx.data.certname ?? ctx.identity;

export const steps: Readonly<Record<StepName, Step>> = {
  async lock(ctx) {
    const out = await provision(ctx, 'lock', { owner: ctx.pipeline.name, ttl: ctx.pipeline.config.steps.lock.ttl });
    if (out['locked'] !== true) throw new StepFailure(`the node did not lock (locked=${String(out['locked'])}, owner ${String(out['lock_owner'])})`);
    return {};
  },

  async choose_master(ctx) {
    const s = ctx.pipeline.config.steps.choose_master;
    const nodeFacts = await facts(ctx);
    const candidates = await ctx.fleet.nodesWithAgent(s.agent, ctx.timeoutS);
    const chosen = chooseMaster({ identity: ctx.identity, facts: nodeFacts }, candidates, { criteria: s.criteria, fallback: s.fallback, hostFact: s.host_fact, ipFact: s.ip_fact, port: s.port });
    if ('error' in chosen) throw new StepFailure(chosen.error);
    return { facts: nodeFacts, master: chosen };
  },

  async set_master(ctx) {
    const m = master(ctx);
    await provision(ctx, 'set_master', { host: m.host, ...(m.ip !== undefined ? { ip: m.ip } : {}), port: m.port });
    return {};
  },

  async clean(ctx) {
    // A bus user can announce itself in the provisioning collective under a
    // live node's name: never revoke and re-issue the certificate of a node
    // that answers in production.
    if (await ctx.fleet.answers(ctx.identity, 2)) {
      throw new StepFailure(`${ctx.identity} is a live node in the ${ctx.pipeline.config.production.collective} collective; refusing to clean and re-issue its certificate for a node in provisioning mode`, { retryable: false });
    }
    const agent = ctx.pipeline.config.steps.choose_master.agent;
    const cas = await ctx.fleet.nodesWithAgent(agent, ctx.timeoutS);
    const failed: string[] = [];
    await Promise.all(
      cas.map((ca) =>
        ctx.fleet.call('production', ca.identity, agent, 'clean', { certname: certname(ctx) }, ctx.timeoutS).catch((err: unknown) => failed.push(`${ca.identity}: ${errorMessage(err)}`)),
      ),
    );
    if (failed.length > 0) throw new StepFailure(`cleaning ${certname(ctx)} failed on ${failed.join('; ')}`);
    return {};
  },

  async gencsr(ctx) {
    const out = await provision(ctx, 'gencsr', { ...ctx.pipeline.config.steps.gencsr.subject });
    const csr = str(out['csr']);
    if (!csr) throw new StepFailure('gencsr replied without a CSR');
    // The certname the CA signs is the identity the provisioner addressed, never one the node chooses.
    const named = str(out['certname']) ?? ctx.identity;
    if (named !== ctx.identity) throw new StepFailure(`gencsr on ${ctx.identity} made a request for '${named}'; only its own identity is signed`, { retryable: false });
    return { csr, certname: ctx.identity, ...(str(out['ssl_dir']) ? { ssl_dir: str(out['ssl_dir']) } : {}) };
  },

  async sign(ctx) {
    const m = master(ctx);
    const out = await ctx.fleet.call('production', m.identity, ctx.pipeline.config.steps.choose_master.agent, 'sign', { certname: certname(ctx), csr: need(ctx, 'csr', 'gencsr') }, ctx.timeoutS);
    const certificate = str(out['certificate']);
    const ca = str(out['ca']);
    if (!certificate || !ca) throw new StepFailure(`${m.identity} signed without returning the certificate and CA`);
    return { certificate, ca_pem: ca };
  },

  async install_cert(ctx) {
    const out = await provision(ctx, 'install_cert', { certificate: need(ctx, 'certificate', 'sign'), ca: need(ctx, 'ca_pem', 'sign') });
    if (out['installed'] !== true) throw new StepFailure('the node did not install the certificate');
    return { ...(str(out['fingerprint']) ? { fingerprint: str(out['fingerprint']) } : {}) };
  },

  async puppet_bootstrap(ctx) {
    await provision(ctx, 'run_puppet', { environment: ctx.pipeline.config.steps.puppet_bootstrap.environment });
    return {};
  },

  async puppet_final(ctx) {
    await provision(ctx, 'run_puppet', { environment: ctx.pipeline.config.steps.puppet_final.environment });
    return {};
  },

  async configure(ctx) {
    const config = finalConfig(ctx, await facts(ctx));
    await provision(ctx, 'configure', { config });
    return { config };
  },

  async restart(ctx) {
    try {
      await provision(ctx, 'restart', { splay: ctx.pipeline.config.steps.restart.splay });
    } catch (err) {
      // Resumed after the node restarted already: it answers in production.
      if (!(err instanceof NoReply) || !(await ctx.fleet.answers(ctx.identity, 2))) throw err;
    }
    return {};
  },

  async verify(ctx) {
    // Ask once a second (a ping to a node that is not back yet waits its whole 1 s timeout).
    const deadline = ctx.time.now() + ctx.timeoutS * 1000;
    while (!ctx.signal.aborted) {
      const asked = ctx.time.now();
      if (await ctx.fleet.answers(ctx.identity, 1)) return {};
      if (ctx.time.now() >= deadline) break;
      await ctx.time.sleep(Math.max(0, 1000 - (ctx.time.now() - asked)), ctx.signal);
    }
    throw new StepFailure(`${ctx.identity} did not answer in the ${ctx.pipeline.config.production.collective} collective within ${ctx.timeoutS} s after restarting`);
  },
};

/** The variables of the final config template. */
export function templateVariables(ctx: Pick<StepContext, 'identity' | 'pipeline' | 'data'>, nodeFacts: Record<string, unknown>): Record<string, unknown> {
  const m = ctx.data.master;
  return {
    identity: ctx.identity,
    certname: ctx.data.certname ?? ctx.identity,
    master: m?.host,
    master_ip: m?.ip,
    master_port: m?.port,
    ca: m?.identity,
    fingerprint: ctx.data.fingerprint,
    ssl_dir: ctx.data.ssl_dir,
    facts: nodeFacts,
    collective: ctx.pipeline.config.production.collective,
    provisioner: ctx.pipeline.name,
  };
}

/** Render the final config for this node and check it is YAML (the node checks it is a valid cohortd config). */
export function finalConfig(ctx: Pick<StepContext, 'identity' | 'pipeline' | 'data'>, nodeFacts: Record<string, unknown>): string {
  const template = ctx.pipeline.template;
  if (template === undefined) throw new StepFailure('no final config template (steps.configure.template)', { retryable: false });
  let text: string;
  try {
    text = renderTemplate(template, templateVariables(ctx, nodeFacts), { what: 'steps.configure.template' });
  } catch (err) {
    if (err instanceof TemplateError) throw new StepFailure(err.message, { retryable: false, cause: err });
    throw err;
  }
  try {
    const parsed: unknown = yaml.load(text, { schema: yaml.CORE_SCHEMA });
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('it is not a mapping of settings');
  } catch (err) {
    throw new StepFailure(`the final config rendered for ${ctx.identity} is not valid YAML: ${errorMessage(err)}`, { retryable: false, cause: err });
  }
  return text;
}
