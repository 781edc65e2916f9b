import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** Largest reply file read; a larger one is an error reply (the bus would refuse it anyway). */
export const maxReplyFileBytes = 8 * 1024 * 1024;

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

/** What the executable left in the reply file. */
type ReplyFile = { readonly text: string } | { readonly missing: true } | { readonly tooBig: number };

function readReply(file: string): ReplyFile {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return { missing: true };
  }
  if (size > maxReplyFileBytes) return { tooBig: size };
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch {
    return { missing: true };
  }
}

/** Why a reply file cannot be used, or undefined when it holds text. */
function replyFileProblem(reply: ReplyFile): string | undefined {
  if ('missing' in reply) return 'exited 0 but wrote no reply file';
  if ('tooBig' in reply) return `wrote a reply file of ${reply.tooBig} bytes, over the ${maxReplyFileBytes} byte limit`;
  return undefined;
}

/** The calls in flight, so `dispose` (daemon shutdown) can stop them and wait for their processes to end. */
class InFlight {
  readonly #calls = new Set<{ controller: AbortController; done: Promise<unknown> }>();

  /** Run `fn` with a signal that fires when `outer` does or at `stopAll`. */
  async track<T>(outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(outer?.reason);
    if (outer?.aborted) onAbort();
    else outer?.addEventListener('abort', onAbort, { once: true });
    const done = fn(controller.signal);
    const entry = { controller, done: done.catch(() => undefined) };
    this.#calls.add(entry);
    try {
      return await done;
    } finally {
      this.#calls.delete(entry);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  async stopAll(): Promise<void> {
    const calls = [...this.#calls];
    for (const c of calls) c.controller.abort(new Error('the node is shutting down'));
    await Promise.all(calls.map((c) => c.done));
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
): Promise<{ run: ExternalRun; reply: ReplyFile }> {
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

function actionHandler(options: ExternalAgentOptions, action: DdlAction, inFlight: InFlight): ActionHandler {
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
    const { run, reply } = await inFlight.track(ctx.signal, (signal) => call(options, rpcProtocol, request, factsOf(ctx.node), { timeoutMs: timeoutMs + 1500, signal }));
    const meta = { request: ctx.request.id, action: action.action };
    logOutput(ctx.log, run, meta);
    if (run.error || run.timedOut || run.aborted || run.signal !== null || run.code !== 0) {
      const end = describeEnd(run, timeoutMs);
      const stderr = lastErrorLine(run);
      const message = `${label} ${end}${'missing' in reply ? ' without writing a reply' : ''}${stderr ? `; stderr: ${stderr}` : ''}`;
      ctx.log.error(message, meta);
      return fail(message, run.timedOut || run.aborted ? Status.Aborted : Status.UnknownError);
    }
    if (!('text' in reply)) {
      const message = `${label} ${replyFileProblem(reply) ?? 'wrote no usable reply'}`;
      ctx.log.error(message, meta);
      return fail(message, Status.UnknownError);
    }
    const parsed = parseRpcReply(reply.text, action);
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
async function activate(options: ExternalAgentOptions, ctx: ActivationContext, inFlight: InFlight): Promise<true | string> {
  const agent = options.ddl.metadata.name;
  const request: ActivationRequest = { protocol: activationProtocol, agent };
  let result: Awaited<ReturnType<typeof call>>;
  try {
    result = await inFlight.track(undefined, (signal) => call(options, activationProtocol, request, factsOf(ctx.node), { timeoutMs: activationTimeoutMs, signal }));
  } catch (err) {
    return `activation check could not run: ${errorMessage(err)}`;
  }
  const { run, reply } = result;
  logOutput(ctx.log, run, { protocol: activationProtocol });
  if (run.error || run.timedOut || run.signal !== null || run.code !== 0) {
    const stderr = lastErrorLine(run);
    return `activation check: ${basename(options.executable)} ${describeEnd(run, activationTimeoutMs)}${stderr ? `; stderr: ${stderr}` : ''}`;
  }
  if (!('text' in reply)) return `activation check: ${basename(options.executable)} ${replyFileProblem(reply) ?? 'wrote no usable reply'}`;
  return parseActivationReply(reply.text);
}

/**
 * An agent whose actions run an executable (docs/external-agents.md): one
 * handler per DDL action, each a call under the request-file contract, its
 * reply checked against the DDL outputs; `activate` runs the activation
 * protocol (2 s); `dispose` (daemon shutdown) stops the processes still
 * running (SIGTERM, SIGKILL after the grace period) and waits for them.
 */
export function externalAgent(options: ExternalAgentOptions): Agent {
  const inFlight = new InFlight();
  const actions: Record<string, ActionHandler> = {};
  for (const action of options.ddl.actions) actions[action.action] = actionHandler(options, action, inFlight);
  return Object.freeze({
    name: options.ddl.metadata.name,
    actions: Object.freeze(actions),
    activate: (ctx: ActivationContext) => activate(options, ctx, inFlight),
    dispose: () => inFlight.stopAll(),
  });
}
