import { fail, type Agent } from '@cohort/agents';
import type { Checks } from './checks.js';

/** Longest maintenance window, seconds (30 days). */
export const maxMaintenanceSeconds = 30 * 86_400;

function names(input: Record<string, unknown>): string[] {
  return typeof input['check'] === 'string' && input['check'] !== '' ? [input['check']] : [];
}

function unknownChecks(unknown: readonly string[]): void {
  if (unknown.length > 0) fail(`no check '${unknown.join("', '")}' on this node`);
}

/**
 * The `checks` agent (ddl/checks.json): `run` runs checks now and replies
 * with their states, `maintenance` silences checks for a while (recorded
 * with the caller id), `resume` ends that, `status` reports this node's
 * states. Requests reach it through the normal pipeline, so signatures,
 * actionpolicy and the audit log apply. `checks()` is the node's checks once
 * started (undefined when they are off).
 */
export function checksAgent(checks: () => Checks | undefined): Agent {
  const need = (): Checks => checks() ?? fail('checks are off on this node (they need security.node_key and JetStream)');
  return {
    name: 'checks',
    actions: {
      run: async (input) => {
        const { ran, unknown } = await need().run(names(input));
        unknownChecks(unknown);
        return { checks: ran, count: ran.length };
      },
      maintenance: async (input, ctx) => {
        const seconds = input['for'];
        if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > maxMaintenanceSeconds) fail(`for must be a whole number of seconds from 1 to ${maxMaintenanceSeconds}`, 4);
        const reason = typeof input['reason'] === 'string' ? input['reason'] : '';
        const { changed, unknown } = await need().maintenance(names(input), seconds * 1000, reason, ctx.request.callerid);
        unknownChecks(unknown);
        return { checks: changed, count: changed.length };
      },
      resume: async (input) => {
        const { changed, unknown } = await need().resume(names(input));
        unknownChecks(unknown);
        return { checks: changed, count: changed.length };
      },
      status: (input) => {
        const c = need();
        const wanted = names(input);
        const unknown = wanted.filter((n) => c.record(n) === undefined);
        unknownChecks(unknown);
        const states = c.status(wanted);
        return { checks: states, count: states.length };
      },
    },
  };
}
