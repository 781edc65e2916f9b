import type { FastifyInstance } from 'fastify';
import { sendUiFile } from '../static.js';

/**
 * The page: `/`, its assets, and index.html for any other GET outside
 * /api/ and /assets/ (the page routes itself); anything else unknown is a
 * JSON 404 naming it. Public, outside the roles table.
 */
export function staticRoutes(app: FastifyInstance, uiDir: string): void {
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/assets/')) return sendUiFile(reply, uiDir, 'index.html');
    void reply.code(404).send({ error: `no such endpoint: ${req.method} ${req.url.split('?')[0]}` });
  });
  app.get('/', async (_req, reply) => sendUiFile(reply, uiDir, 'index.html'));
  app.get('/assets/*', async (req, reply) => sendUiFile(reply, uiDir, `assets/${(req.params as { '*': string })['*']}`));
}
