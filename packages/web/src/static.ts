import { readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';

/** The built page, served as files (the security headers come from the server's hook). Types by extension: */
const mime: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The built page: packages/web/dist/ui (beside this module's compiled file). */
export function defaultUiDir(): string {
  return fileURLToPath(new URL('./ui/', import.meta.url));
}

/** Send `rel` (index.html, assets/...) from `uiDir`; 404 JSON for anything outside it or missing. */
export function sendUiFile(reply: FastifyReply, uiDir: string, rel: string): FastifyReply {
  const full = normalize(join(uiDir, rel));
  if (!full.startsWith(normalize(uiDir + sep))) return reply.code(404).send({ error: 'not found' });
  let body: Buffer;
  try {
    body = readFileSync(full);
  } catch {
    return reply.code(404).send({ error: rel === 'index.html' ? `the page is not built (${full} missing): pnpm --filter @cohort/web build` : `no such file: /${rel}` });
  }
  return reply
    .type(mime[extname(full)] ?? 'application/octet-stream')
    .header('cache-control', rel === 'index.html' ? 'no-cache' : 'public, max-age=3600')
    .send(body);
}
