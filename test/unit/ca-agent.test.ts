// The ca agent itself: activation (enabled, tools present) and serialisation
// of concurrent requests against one openssl CA directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ActionContext, NodeInfo } from '@cohort/agents';
import { loadServerConfig } from '@cohort/agents';
import { createCa } from '../../packages/agents/src/ca/index.ts';
import { readIndex } from '../../packages/agents/src/ca/openssl/index-file.ts';
import { caNode, makeCsr, makeKey, tempDir, verify } from './ca-fakes.js';
import { memoryLog } from './puppetral-fakes.js';
import { actionContext } from './node-fakes.js';

const work = tempDir('cohort-ca-agent-');

function ctx(node: NodeInfo): ActionContext {
  return actionContext(node, { log: memoryLog(), agent: 'ca' });
}

test('activation: only where ca.enabled is true and the backend’s commands exist', async () => {
  const agent = createCa();
  const log = memoryLog();
  assert.match(String(await agent.activate?.({ node: caNode({}), log })), /not enabled on this node \(set ca\.enabled: true/);
  assert.equal(await agent.activate?.({ node: caNode({ enabled: true, dir: join(work, 'act') }), log }), true);
  const noOpenssl = await agent.activate?.({ node: caNode({ enabled: true, openssl_command: '/nonexistent/openssl' }), log });
  assert.match(String(noOpenssl), /openssl command '\/nonexistent\/openssl' was not found \(ca\.openssl_command\)/);
  const noServer = await agent.activate?.({ node: caNode({ enabled: true, backend: 'puppet', puppetserver_command: '/nonexistent/puppetserver' }), log });
  assert.match(String(noServer), /puppetserver is not installed .*ca\.backend: openssl/);
  const noPath = createCa({ env: { PATH: '' } });
  assert.match(String(await noPath.activate?.({ node: caNode({ enabled: true }), log })), /openssl .* was not found/);
});

test('concurrent signs are serialised: every name is recorded once, the same key gets one certificate', async () => {
  const dir = join(work, 'concurrent');
  const node = caNode({ enabled: true, dir, days: 10 });
  const agent = createCa();
  const sign = agent.actions['sign'];
  const info = agent.actions['info'];
  assert.ok(sign && info);
  const names = Array.from({ length: 8 }, (_, i) => `n${i}.example`);
  const twinKey = makeKey(work, 'twin');
  const twinCsr = makeCsr(twinKey, '/CN=twin.example');
  const requests = [
    ...names.map((name) => ({ certname: name, csr: makeCsr(makeKey(work, name), `/CN=${name}`) })),
    ...Array.from({ length: 4 }, () => ({ certname: 'twin.example', csr: twinCsr })),
  ];
  // All at once, including the first use that creates the CA.
  const results = (await Promise.all(requests.map((input) => sign(input, ctx(node))))) as Array<{ certificate: string; ca: string; serial: string }>;
  const twins = results.slice(names.length);
  assert.equal(new Set(twins.map((t) => t.serial)).size, 1, 'one certificate for the twin key');
  assert.equal(new Set(results.map((r) => r.ca)).size, 1, 'one CA');
  const index = await readIndex(join(dir, 'index.json'));
  assert.deepEqual(Object.keys(index.issued).sort(), [...names, 'twin.example'].sort());
  assert.equal(index.revoked.length, 0);
  const { ca, backend } = (await info({}, ctx(node))) as { ca: string; backend: string };
  assert.equal(backend, 'openssl');
  for (const r of results) assert.match(verify(work, ca, r.certificate), /OK/);
});

test('config: the ca section’s defaults, and a bad backend named with what to write', () => {
  const { config } = loadServerConfig({ env: {} });
  assert.deepEqual(
    { ...config.ca },
    { enabled: false, backend: 'openssl', dir: '/var/lib/cohort/ca', init: true, days: 365, openssl_command: 'openssl', puppetserver_command: 'puppetserver', puppetserver_config: null },
  );
  const relative = loadServerConfig({ env: {}, flags: { ca: { enabled: true, dir: 'ca' } }, cwd: '/srv/node' }).config.ca;
  assert.equal(relative.dir, '/srv/node/ca');
  assert.throws(() => loadServerConfig({ env: {}, flags: { ca: { backend: 'vault' } } }), /ca\.backend.*openssl or puppet/);
  assert.throws(() => loadServerConfig({ env: {}, flags: { ca: { days: 0 } } }), /ca\.days/);
});
