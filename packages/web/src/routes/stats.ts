import { HttpError } from '../http-error.js';
import { graphiteStats, StatsError } from '../stats.js';
import type { RouteContext } from './context.js';

/** A node's metrics over time, read from Graphite (404 when no metrics source is configured). */
export function statsRoutes({ deps, route }: RouteContext): void {
  const { config } = deps;
  route<unknown, { identity?: string; metric?: string; from?: string }>('GET', '/api/stats', async (req) => {
    if (!config.graphiteUrl) throw new HttpError(404, 'no metrics source configured');
    try {
      return await graphiteStats(config.graphiteUrl, config.graphitePrefix, req.query);
    } catch (err) {
      if (err instanceof StatsError) throw new HttpError(err.status, err.message, err.field);
      throw err;
    }
  });
}
