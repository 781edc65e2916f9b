import { FilterError, parseWebFilter } from '../fleet.js';
import { ddlOf, HttpError } from '../http-error.js';
import { installInfo } from '../install.js';
import { findResultsTemplate } from '../templates.js';
import type { RouteContext } from './context.js';

/** The registered nodes (list, groups, one node, counts), the agents they run with their DDLs, and how to install one more. */
export function fleetRoutes({ deps, route, fleet }: RouteContext): void {
  const { config, log } = deps;

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
    const ddl = ddlOf(deps.ddl, req.params.agent);
    const template = findResultsTemplate(deps.ddl.dirs, req.params.agent);
    if (template.problem) log.warn(template.problem);
    return template.text === undefined ? ddl : { ...ddl, resultsTemplate: template.text };
  });

  route('GET', '/api/install', async () => installInfo({ servers: deps.servers, natsUrlForNodes: config.natsUrlForNodes, collective: deps.collective }));
}
