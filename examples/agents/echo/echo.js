// The echo agent: a complete custom agent for Cohort. Its DDL is echo.json
// beside this file; its types are generated from that DDL into echo-types.ts
// (`cohort ddl types examples/agents/echo/echo.json > examples/agents/echo/echo-types.ts`).
//
// A plain object is enough: the module imports nothing from Cohort, so it can
// be installed in any plugin directory. (With @cohort/agents installed,
// `export default defineAgent<EchoActions>({...})` in TypeScript is the same.)
import { access, constants } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * @typedef {import('./echo-types.js').EchoActions} EchoActions
 * @typedef {import('@cohort/agents').AgentDefinition<EchoActions>} EchoAgent
 */

/** @type {EchoAgent} */
const echo = {
  name: 'echo',

  actions: {
    // Inputs arrive validated against the DDL (message is a string of at most 1024 characters).
    echo({ message }, { log, request }) {
      log.debug(`echo from ${request.callerid}`, { length: message.length });
      return { message, length: message.length };
    },

    // The DDL timeout is 2 s: sleeping longer gets status 1 "action 'sleep' exceeded its 2 s timeout"
    // (ctx.deadline says when, in ms since the epoch). Passing ctx.signal on means the timer is
    // cancelled as soon as the node gives up on us.
    async sleep({ seconds }, { signal }) {
      await sleep(seconds * 1000, undefined, { signal });
      return { slept: seconds };
    },

    // fail() ends the action with status 1 (Request Aborted) and this message;
    // any other exception would be status 5 (Unknown Request Status). The node
    // fills in DDL defaults first, so message is here even when the caller left it out.
    fail({ message }, { fail }) {
      return fail(message);
    },
  },

  // Only load where /bin/sh exists; a string explains why the agent is not loaded.
  async activate() {
    try {
      await access('/bin/sh', constants.X_OK);
      return true;
    } catch {
      return '/bin/sh is not available on this node';
    }
  },
};

export default echo;
