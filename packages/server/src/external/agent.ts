import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fail, type ActionContext, type ActionHandler, type ActivationContext, type Agent, type AgentLogger } from '@cohort/agents';
import { errorMessage, Status, type Ddl, type DdlAction } from '@cohort/core';
import {
  activationProtocol,
  externalEnv,
  parseActivationReply,
  parseRpcReply,
  rpcProtocol,
  type ActivationRequest,
  type CallFiles,
  type ExternalProtocol,
  type RpcRequest,
} from './contract.js';
import { describeEnd, runExternal, type ExternalRun } from './run.js';

/** How long the activation check may take. */
export const activationTimeoutMs = 2000;

export interface ExternalAgentOptions {
  /** The executable (absolute path, executable bit set). */
  readonly executable: string;
  /** Its DDL: the agent's name, actions and timeout. */
  readonly ddl: Ddl;
  /** The agent's configuration, handed over as COHORT_EXTERNAL_CONFIG. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Directory the private per-call directories are made in (default: the OS temp dir). */
  readonly tmpDir?: string;
  /** Between SIGTERM and SIGKILL at the deadline (default 1 s). */
  readonly graceMs?: number;
}


/** Log the agent's output: stdout lines at info, stderr lines at error. */
function logOutput(log: AgentLogger, run: ExternalRun, meta: Record<string, unknown>): void {
  for (const line of run.stdout.split('\n')) if (line.trim() !== '') log.info(line, { ...meta, stream: 'stdout' });
  for (const line of run.stderr.split('\n')) if (line.trim() !== '') log.error(line, { ...meta, stream: 'stderr' });
  if (run.truncated) log.warn('output beyond the first 16 KiB per stream was dropped', meta);
}

/** The last non-empty stderr line, for error replies. */
function lastErrorLine(run: ExternalRun): string | undefined {
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  const line = lines.at(-1)?.trim();
  return line === undefined ? undefined : line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function readReply(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * One call of the executable: a private directory (0700) with the request,
 * config and facts files (0600), the executable run there with the contract's
 * arguments and environment, the reply file's text read back, and the
 * directory removed whatever happened.
 */
async function call(
  options: ExternalAgentOptions,
  protocol: ExternalProtocol,
  request: ActivationRequest | RpcRequest,
  facts: unknown,
  run: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ run: ExternalRun; reply: string | undefined }> {
  const dir = mkdtempSync(join(options.tmpDir ?? tmpdir(), `cohort-${request.agent}-`));
  try {
    const files: CallFiles = {
      request: join(dir, 'request.json'),
      reply: join(dir, 'reply.json'),
      config: join(dir, 'config.json'),
      facts: join(dir, 'facts.json'),
    };
    writeFileSync(files.request, JSON.stringify(request), { mode: 0o600 });
    writeFileSync(files.config, JSON.stringify(options.config ?? {}), { mode: 0o600 });
    writeFileSync(files.facts, JSON.stringify(facts ?? {}), { mode: 0o600 });
    const result = await runExternal(options.executable, [files.request, files.reply, protocol], {
      cwd: dir,
      env: externalEnv(files, protocol, process.env['PATH']),
      timeoutMs: run.timeoutMs,
      ...(run.signal ? { signal: run.signal } : {}),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
    return { run: result, reply: readReply(files.reply) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function factsOf(node: ActionContext['node'] | undefined): unknown {
  try {
    return node?.facts() ?? {};
  } catch {
    return {};
  }
}

function actionHandler(options: ExternalAgentOptions, action: DdlAction): ActionHandler {
  const agent = options.ddl.metadata.name;
  const label = `external agent ${agent}#${action.action} (${basename(options.executable)})`;
  const timeoutMs = options.ddl.metadata.timeout * 1000;
  return async (input: Record<string, unknown>, ctx: ActionContext): Promise<Record<string, unknown>> => {
    const request: RpcRequest = {
      protocol: rpcProtocol,
      agent,
      action: action.action,
      requestid: ctx.request.id,
      caller: ctx.request.callerid,
      sender: ctx.request.sender,
      collective: ctx.request.collective,
      ttl: ctx.request.ttl ?? null,
      time: ctx.request.time ?? null,
      data: input,
    };
    // The dispatcher aborts ctx.signal at the DDL timeout and replies at once; the deadline here is a backstop.
    const { run, reply } = await call(options, rpcProtocol, request, factsOf(ctx.node), { timeoutMs: timeoutMs + 1500, signal: ctx.signal });
    const meta = { request: ctx.request.id, action: action.action };
    logOutput(ctx.log, run, meta);
    if (run.error || run.timedOut || run.aborted || run.signal !== null || run.code !== 0) {
      const end = describeEnd(run, timeoutMs);
      const stderr = lastErrorLine(run);
      const message = `${label} ${end}${reply === undefined ? ' without writing a reply' : ''}${stderr ? `; stderr: ${stderr}` : ''}`;
      ctx.log.error(message, meta);
      return fail(message, run.timedOut || run.aborted ? Status.Aborted : Status.UnknownError);
    }
    if (reply === undefined) {
      const message = `${label} exited 0 but wrote no reply file`;
      ctx.log.error(message, meta);
      return fail(message, Status.UnknownError);
    }
    const parsed = parseRpcReply(reply, action);
    if ('problem' in parsed) {
      const message = `${label} wrote an invalid reply: ${parsed.problem}`;
      ctx.log.error(message, meta);
      return fail(message, Status.UnknownError);
    }
    if (parsed.status !== Status.OK) return fail(parsed.message, parsed.status, parsed.data);
    return parsed.data;
  };
}

/** Run the activation protocol: true to load, else the reason the agent stays unloaded. */
async function activate(options: ExternalAgentOptions, ctx: ActivationContext): Promise<true | string> {
  const agent = options.ddl.metadata.name;
  const request: ActivationRequest = { protocol: activationProtocol, agent };
  let result: Awaited<ReturnType<typeof call>>;
  try {
    result = await call(options, activationProtocol, request, factsOf(ctx.node), { timeoutMs: activationTimeoutMs });
  } catch (err) {
    return `activation check could not run: ${errorMessage(err)}`;
  }
  const { run, reply } = result;
  logOutput(ctx.log, run, { protocol: activationProtocol });
  if (run.error || run.timedOut || run.signal !== null || run.code !== 0) {
    const stderr = lastErrorLine(run);
    return `activation check: ${basename(options.executable)} ${describeEnd(run, activationTimeoutMs)}${stderr ? `; stderr: ${stderr}` : ''}`;
  }
  if (reply === undefined) return `activation check: ${basename(options.executable)} exited 0 but wrote no reply file`;
  return parseActivationReply(reply);
}

/**
 * An agent whose actions run an executable (docs/external-agents.md): one
 * handler per DDL action, each a call under the request-file contract, its
 * reply checked against the DDL outputs; `activate` runs the activation
 * protocol (2 s).
 */
export function externalAgent(options: ExternalAgentOptions): Agent {
  const actions: Record<string, ActionHandler> = {};
  for (const action of options.ddl.actions) actions[action.action] = actionHandler(options, action);
  return Object.freeze({
    name: options.ddl.metadata.name,
    actions: Object.freeze(actions),
    activate: (ctx: ActivationContext) => activate(options, ctx),
  });
}
