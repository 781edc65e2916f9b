import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rpcutil, type NodeInfo } from '@cohort/agents';
import { builtinDdlDir } from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { AgentRegistry, findPlugins, loadAgents } from '@cohort/server';

const echoDir = fileURLToPath(new URL('../../examples/agents/echo', import.meta.url));

const ddl = (name: string, actions: string[]) =>
  JSON.stringify({
    metadata: { name, description: 'd', author: 'a', license: 'Apache-2.0', version: '1.0.0', url: 'u', timeout: 2 },
    actions: actions.map((action) => ({ action, description: action, input: {}, output: {} })),
  });

const agentModule = (name: string, actions: string[], activate = '') =>
  `export default { name: ${JSON.stringify(name)}, actions: { ${actions.map((a) => `${a}: () => ({})`).join(', ')} } ${activate ? `, activate: ${activate}` : ''} };\n`;

function pluginDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-plugins-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

// Only rpcutil: nrpe and puppetral check the real node (NRPE config, Puppet) before loading.
async function load(pluginDirs: string[]) {
  const registry = new AgentRegistry();
  await loadAgents({ registry, builtin: [rpcutil], builtinDdlDir: builtinDdlDir(), pluginDirs, node: {} as NodeInfo, log: silentLogger() });
  return registry;
}

test('the built-in rpcutil agent and the example echo agent load', async () => {
  const registry = await load([echoDir]);
  assert.deepEqual(registry.names(), ['echo', 'rpcutil']);
  const echo = registry.get('echo');
  assert.equal(echo?.timeoutMs, 2000);
  assert.equal(echo?.actionList, 'echo, fail, sleep');
  assert.equal(echo?.source, join(echoDir, 'echo.js'));
  assert.deepEqual(registry.unloaded(), []);
});

test('one level of subdirectories is searched: examples/agents finds echo', async () => {
  const candidates = findPlugins([join(echoDir, '..')], () => assert.fail('readable'));
  assert.deepEqual(candidates.map((c) => c.name), ['echo']);
  assert.equal(candidates[0]?.ddlFile, join(echoDir, 'echo.json'));
});

test('broken plugins are skipped with file and reason; the rest still load', async () => {
  const dir = pluginDir({
    'good.json': ddl('good', ['a']),
    'good.js': agentModule('good', ['a']),
    'baddl.json': '{ not json',
    'baddl.js': agentModule('baddl', ['a']),
    'crash.json': ddl('crash', ['a']),
    'crash.js': 'throw new Error("cannot start");\n',
    'extra.json': ddl('extra', ['a']),
    'extra.js': agentModule('extra', ['a', 'b']),
    'missing.json': ddl('missing', ['a', 'b']),
    'missing.mjs': agentModule('missing', ['a']),
    'lonely.js': agentModule('lonely', ['a']),
    'ddlonly.json': ddl('ddlonly', ['a']),
    'inactive.json': ddl('inactive', ['a']),
    'inactive.js': agentModule('inactive', ['a'], 'async () => "tool is not installed"'),
    'throws.json': ddl('throws', ['a']),
    'throws.js': agentModule('throws', ['a'], '() => { throw new Error("probe failed"); }'),
    'rpcutil.json': ddl('rpcutil', ['a']),
    'rpcutil.js': agentModule('rpcutil', ['a']),
    'README.md': '# not an agent\n',
  });
  const registry = await load([dir, join(dir, 'does-not-exist')]);
  assert.deepEqual(registry.names(), ['good', 'rpcutil']);
  const reasons = Object.fromEntries(registry.unloaded().map((u) => [u.name, `${u.source} | ${u.reason}`]));
  assert.match(reasons['baddl'] ?? '', /baddl\.json: bad DDL/);
  assert.match(reasons['crash'] ?? '', /crash\.js: the module failed to import: cannot start/);
  assert.match(reasons['extra'] ?? '', /actions in extra\.js missing from extra\.json: b/);
  assert.match(reasons['missing'] ?? '', /actions in missing\.json not implemented in missing\.mjs: b/);
  assert.match(reasons['lonely'] ?? '', /lonely\.js: no DDL lonely\.json/);
  assert.match(reasons['inactive'] ?? '', /inactive\.js \| tool is not installed$/);
  assert.match(reasons['throws'] ?? '', /activation check failed: probe failed/);
  assert.match(reasons['rpcutil'] ?? '', /already loaded \(builtin\)/);
  assert.equal(reasons['ddlonly'], undefined, 'a DDL without a module is a client-side DDL, not an error');
  assert.equal(registry.get('rpcutil')?.source, 'builtin');
});

test('an unreadable plugin directory is reported and skipped', () => {
  const errors: string[] = [];
  assert.deepEqual(findPlugins(['/nonexistent/cohort-agents'], (e) => errors.push(e.message)), []);
  assert.match(errors[0] ?? '', /\/nonexistent\/cohort-agents: cannot read the plugin directory/);
});
