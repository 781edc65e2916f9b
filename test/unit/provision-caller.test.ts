import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCaller, checkCertname, createProvisionAgent, provisionSettings, type ActionContext, type NodeInfo } from '@cohort/agents';
import { actionContext, configNode } from './node-fakes.js';

/** A node in provisioning mode whose config is `settings` (nested like the file), token 'tok'. */
function node(settings: { security?: Record<string, unknown>; provisioning?: Record<string, unknown> }): NodeInfo {
  return configNode({ collectives: ['provisioning'], ...settings, provisioning: { token: 'tok', ...settings.provisioning } }, { identity: 'fresh1' });
}

test('an unsigned daemon refuses every provision action (a captured token is not enough), unless allow_unsigned says it is a lab', () => {
  const unsigned = provisionSettings(node({ provisioning: { enabled: true }, security: { mode: 'unsigned' } }));
  assert.throws(() => checkCaller(unsigned, 'user=anyone'), /only when they are signed by its provisioner.*security\.mode: unsigned.*provisioning\.allow_unsigned/);
  const lab = provisionSettings(node({ security: { mode: 'unsigned' }, provisioning: { allow_unsigned: true } }));
  assert.doesNotThrow(() => checkCaller(lab, 'user=anyone'));
  const signed = provisionSettings(node({ security: { mode: 'signed' } }));
  assert.doesNotThrow(() => checkCaller(signed, 'user=operator'));
});

test('provisioning.provisioners narrows the trusted callers to named ones', () => {
  const settings = provisionSettings(node({ security: { mode: 'signed' }, provisioning: { provisioners: ['provisioner=eu-1'] } }));
  assert.doesNotThrow(() => checkCaller(settings, 'provisioner=eu-1'));
  assert.throws(() => checkCaller(settings, 'user=operator'), /user=operator is not a provisioner of this node \(provisioning\.provisioners: provisioner=eu-1\)/);
});

test("the certname is the node's identity: any other cn is refused", () => {
  assert.equal(checkCertname(undefined, 'fresh1'), 'fresh1');
  assert.equal(checkCertname(null, 'fresh1'), 'fresh1');
  assert.equal(checkCertname('fresh1', 'fresh1'), 'fresh1');
  assert.throws(() => checkCertname('ca-eu', 'fresh1'), /cn 'ca-eu' is not this node's identity 'fresh1'/);
});

test('the agent applies the caller check before anything else, even status', async () => {
  const agent = createProvisionAgent();
  const ctx: ActionContext = actionContext(node({ security: { mode: 'unsigned' }, provisioning: { enabled: true } }), { callerid: 'user=mallory', agent: 'provision', action: 'status' });
  await assert.rejects(async () => agent.actions['status']!({ token: 'tok' }, ctx), /signed by its provisioner/);
});
