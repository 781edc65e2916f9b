// Provisioning mode in cohortd (collective, agents, the cohort.provisioned
// fact) and the provision agent's restart action.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadServerConfig } from '@cohort/agents';
import { builtinAgents, type ActionContext, type NodeInfo } from '../../packages/agents/src/index.ts';
import { actionContext, configNode } from './node-fakes.js';
import { createProvisionAgent } from '../../packages/agents/src/provision/index.ts';
import { nodeMode } from '../../packages/server/src/provisioning/mode.ts';

function config(values: Record<string, unknown>) {
  return loadServerConfig({ env: {}, flags: values }).config;
}

test('provisioning.enabled: only the provisioning collective, rpcutil and provision, no custom agents, provisioned=false', () => {
  const mode = nodeMode(config({ collectives: ['production', 'eu'], plugin_dirs: ['/etc/cohort/agents'], provisioning: { enabled: true } }), builtinAgents);
  assert.deepEqual(mode.config.collectives, ['provisioning']);
  assert.deepEqual(mode.config.plugin_dirs, []);
  assert.deepEqual(mode.builtin.map((a) => a.name), ['rpcutil', 'provision']);
  assert.deepEqual(mode.facts, { cohort: { provisioned: false } });
  assert.ok(Object.isFrozen(mode.config));
});

test('not in provisioning mode: the config and agents as given, provisioned=true, no provision agent', () => {
  const given = config({ collectives: ['production'] });
  const mode = nodeMode(given, builtinAgents);
  assert.equal(mode.config, given);
  assert.equal(mode.builtin, builtinAgents);
  assert.ok(!builtinAgents.some((a) => a.name === 'provision'));
  assert.deepEqual(mode.facts, { cohort: { provisioned: true } });
});

function node(restarts: Array<[string, number]> | undefined, token: string | null = null): NodeInfo {
  return configNode(
    { collectives: ['provisioning'], provisioning: { enabled: true, token } },
    {
      identity: 'fresh1',
      configFile: '/etc/cohort/cohortd.yaml',
      ...(restarts ? { requestRestart: (reason: string, delayMs: number) => void restarts.push([reason, delayMs]) } : {}),
    },
  );
}

function ctx(n: NodeInfo): ActionContext {
  return actionContext(n, { callerid: 'user=prov', agent: 'provision', action: 'restart' });
}

test('restart: asks the daemon to restart after the splay; refuses a splay out of range, a wrong token, a host that cannot restart', async () => {
  const agent = createProvisionAgent();
  const restart = agent.actions['restart'];
  assert.ok(restart);
  const asked: Array<[string, number]> = [];
  assert.deepEqual(await restart({ splay: 3 }, ctx(node(asked))), { restarting: true });
  assert.deepEqual(asked, [['provision restart requested by user=prov', 3000]]);
  await assert.rejects(Promise.resolve().then(() => restart({ splay: 61 }, ctx(node(asked)))), (err: unknown) => (err as { status?: number }).status === 4 && /from 0 to 60/.test(String(err)));
  await assert.rejects(Promise.resolve().then(() => restart({ splay: 0, token: 'x' }, ctx(node(asked, 'y')))), /invalid provisioning token/);
  await assert.rejects(Promise.resolve().then(() => restart({ splay: 0 }, ctx(node(undefined)))), /cannot restart in-process/);
  assert.equal(asked.length, 1);
});
