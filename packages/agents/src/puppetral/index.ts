import { fileURLToPath } from 'node:url';
import { defineAgent, type ActionContext, type Agent } from '../define.js';
import type { FailStatus } from '../errors.js';
import type { PuppetralActions } from '../generated/index.js';
import { PuppetHelperError } from './errors.js';
import { refusal, type Access } from './guard.js';
import { parameterRefusal } from './parameters.js';
import { PuppetHelper, type HelperCall } from './helper.js';
import type { LaunchSpec } from './helper-process.js';
import { locatePuppet } from './locate.js';
import type { HelperErrorKind, HelperReply } from './protocol.js';
import { applyOutput, findOutput, searchOutput } from './results.js';
import { readSettings, settingsArgs } from './settings.js';

/** The Ruby helper shipped with this package (packages/agents/ruby/). */
export const helperScript = fileURLToPath(new URL('../../ruby/puppetral-helper.rb', import.meta.url));

/** Reply status for each way the helper can refuse or fail a request. */
const statusFor: Readonly<Record<HelperErrorKind, FailStatus>> = { invalid: 4, failed: 1, internal: 5 };

export interface PuppetralOptions {
  /** Environment whose PATH locates puppet (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The helper script (default: the one shipped with this package). */
  readonly script?: string;
}

/** The helper command for this node: Puppet's Ruby running the helper with the node's Puppet settings. */
function launchFor(ctx: Pick<ActionContext, 'node'>, options: PuppetralOptions): LaunchSpec {
  const settings = readSettings(ctx.node);
  const found = locatePuppet({ puppet: settings.puppet, ruby: settings.ruby, pathEnv: (options.env ?? process.env)['PATH'] });
  if (typeof found === 'string') throw new Error(found);
  return { command: found.ruby, args: [options.script ?? helperScript, ...settingsArgs(settings.settings)] };
}

/**
 * The puppetral agent: Puppet's resource abstraction layer on every node,
 * through one warm Puppet helper per node (started on first use). Each call
 * gets a new agent with its own helper; `dispose()` stops it.
 */
export function createPuppetral(options: PuppetralOptions = {}): Agent {
  let helper: PuppetHelper | undefined;

  const helperFor = (ctx: ActionContext): PuppetHelper =>
    (helper ??= new PuppetHelper({ launch: () => launchFor(ctx, options), log: ctx.log }));

  async function run(call: HelperCall, access: Access, ctx: ActionContext): Promise<Readonly<Record<string, unknown>>> {
    const settings = readSettings(ctx.node);
    const refused = refusal(call.type, access, settings) ?? parameterRefusal(call, settings.targets);
    if (refused !== undefined) return ctx.fail(refused, 1);
    if (call.op !== 'search' && !call.title && typeof call.parameters['name'] !== 'string') {
      return ctx.fail(`missing the resource's title: give title=... (or name=...) for the ${call.type} resource`, 3);
    }
    let reply: HelperReply;
    try {
      reply = await helperFor(ctx).call(call, ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const died = err instanceof PuppetHelperError && err.exited;
      const maybe = died && call.op === 'apply' ? ' while applying; the change may have been partly made, check with find' : '';
      return ctx.fail(`${message}${maybe}`, 1);
    }
    if (!reply.ok) return ctx.fail(reply.message, statusFor[reply.kind]);
    return reply.result;
  }

  const apply = async ({ type, title, noop, parameters }: PuppetralActions['do']['received'], ctx: ActionContext) =>
    applyOutput(await run({ op: 'apply', type, title, parameters, noop }, 'change', ctx));

  return defineAgent<PuppetralActions>({
    name: 'puppetral',
    actions: {
      do: apply,
      create: apply,
      find: async ({ type, title, parameters }, ctx) => findOutput(await run({ op: 'find', type, title, parameters }, 'read', ctx)),
      search: async ({ type, parameters }, ctx) => searchOutput(await run({ op: 'search', type, parameters }, 'read', ctx)),
    },
    activate: ({ node }) => {
      const settings = readSettings(node);
      const found = locatePuppet({ puppet: settings.puppet, ruby: settings.ruby, pathEnv: (options.env ?? process.env)['PATH'] });
      return typeof found === 'string' ? found : true;
    },
    dispose: async () => {
      await helper?.dispose();
      helper = undefined;
    },
  });
}

/** The built-in puppetral agent. */
export const puppetral = createPuppetral();

