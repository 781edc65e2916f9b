import { fail, type Agent } from '@cohort/agents';
import type { Mine } from './mine.js';

/**
 * The `mine` agent (ddl/mine.json): `update` runs functions now (`cohort mine
 * update`), `list` names them. Requests reach it through the normal pipeline,
 * so signatures, actionpolicy and the audit log apply. `mine()` is the
 * node's mine once started (undefined when it is off).
 */
export function mineAgent(mine: () => Mine | undefined): Agent {
  const need = (): Mine => mine() ?? fail('the mine is off on this node (it needs security.node_key and JetStream)');
  return {
    name: 'mine',
    actions: {
      update: async (input) => {
        const fn = typeof input['function'] === 'string' ? input['function'] : undefined;
        const { ran, unknown } = await need().update(fn === undefined ? [] : [fn]);
        if (unknown.length > 0) fail(`no mine function '${unknown.join("', '")}' on this node`);
        return { ran };
      },
      list: () => ({ functions: need().list() }),
    },
  };
}
