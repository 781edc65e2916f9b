import type { ActionContext } from '../define.js';
import type { NodeInfo } from '../node-info.js';
import type { NrpeSources } from './config-load.js';

/** The node's `nrpe.*` settings, as the agent uses them. */
export interface NrpeSettings extends NrpeSources {
  /** `nrpe.allow_arguments`: callers may fill `$ARGn$` even without dont_blame_nrpe=1. */
  allowArguments: boolean;
}

/** NRPE's own default `command_timeout`. */
export const defaultCommandTimeout = 60;

/** Seconds kept between the plugin's deadline and the action's, so the UNKNOWN reply beats the daemon's timeout. */
export const replyMargin = 1;

/** The node's `nrpe:` section (typed and defaulted by its spec, `nrpe/config.ts`, beside the agent) in the agent's terms. */
export function nrpeSettings(node: Pick<NodeInfo, 'section'>): NrpeSettings {
  const section = node.section('nrpe');
  return { confFile: section.conf_file, confDir: section.conf_dir, allowArguments: section.allow_arguments };
}

/** Seconds the agent may still spend before it must answer itself: up to {@link replyMargin} before the action's deadline (at least 0.1). */
export function secondsToReply(ctx: Pick<ActionContext, 'deadline'>, now = Date.now()): number {
  return Math.max(0.1, (ctx.deadline - now) / 1000 - replyMargin);
}

/**
 * Seconds one plugin may run: NRPE's `command_timeout` (default 60), but
 * never closer than {@link replyMargin} to the action's deadline, so the
 * agent can still kill the plugin and answer UNKNOWN itself.
 */
export function pluginTimeout(ctx: Pick<ActionContext, 'deadline'>, commandTimeout: number | undefined, now = Date.now()): number {
  return Math.min(commandTimeout ?? defaultCommandTimeout, secondsToReply(ctx, now));
}
