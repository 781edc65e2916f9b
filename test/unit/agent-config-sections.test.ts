// Each built-in agent declares its config section beside itself
// (packages/agents/src/<agent>/config.ts); @cohort/agents assembles cohortd's
// whole spec from core's daemon sections and theirs, and checks it with
// validators precompiled per section, in the same words as core's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonConfigSpec, describeConfig, layerProblem } from '@cohort/core';
import { agentConfigSections, loadServerConfig, serverConfigSpec } from '@cohort/agents';
import * as precompiled from '../../packages/agents/src/generated/config-validators.ts';

test("cohortd's spec is core's daemon sections plus each agent's own section, none declared twice", () => {
  const agentKeys = Object.keys(agentConfigSections);
  assert.deepEqual(agentKeys.sort(), ['ca', 'nrpe', 'provisioning', 'puppetral']);
  for (const key of agentKeys) {
    assert.equal(Object.hasOwn(daemonConfigSpec, key), false, `core does not declare ${key}:`);
    assert.equal(serverConfigSpec[key as keyof typeof agentConfigSections], agentConfigSections[key as keyof typeof agentConfigSections]);
  }
  assert.deepEqual(Object.keys(serverConfigSpec).sort(), [...Object.keys(daemonConfigSpec), ...agentKeys].sort());
  const help = describeConfig(serverConfigSpec).join('\n');
  for (const line of ['nrpe.conf_file = /etc/nagios/nrpe.cfg', 'puppetral.puppet = puppet', 'provisioning.enabled = false   (COHORT_PROVISIONING)', 'ca.backend = openssl']) assert.ok(help.includes(line), line);
});

test('every agent section has a validator precompiled at build time', () => {
  const names = Object.keys(precompiled).filter((n) => /^validate\w+ConfigLayer$/.test(n));
  assert.deepEqual(names.sort(), ['validateCaConfigLayer', 'validateNrpeConfigLayer', 'validateProvisioningConfigLayer', 'validatePuppetralConfigLayer']);
});

test('problems in an agent section are reported as for the daemon: path, expectation, did-you-mean', () => {
  assert.equal(layerProblem(serverConfigSpec, { identity: 'n1', nrpe: { allow_arguments: true }, ca: { days: 30 } }), undefined);
  assert.deepEqual(layerProblem(serverConfigSpec, { nrpe: { alow_arguments: true } }), {
    kind: 'unknown',
    path: ['nrpe', 'alow_arguments'],
    known: ['conf_file', 'conf_dir', 'allow_arguments'],
    guess: 'allow_arguments',
  });
  assert.deepEqual(layerProblem(serverConfigSpec, { nrpee: {} }), { kind: 'unknown', path: ['nrpee'], known: Object.keys(serverConfigSpec), guess: 'nrpe' });
  assert.deepEqual(layerProblem(serverConfigSpec, { puppetral: 3 }), { kind: 'section', path: ['puppetral'], keys: Object.keys(agentConfigSections.puppetral) });
  const bad = layerProblem(serverConfigSpec, { identity: 'n1', ca: { days: 0 } });
  assert.deepEqual([bad?.kind, bad?.path], ['item', ['ca', 'days']]);
  // A daemon problem is found even when an agent section is fine.
  assert.deepEqual(layerProblem(serverConfigSpec, { nrpe: {}, max_queue: -1 })?.path, ['max_queue']);

  const dir = mkdtempSync(join(tmpdir(), 'cohort-agent-sections-'));
  const file = join(dir, 'server.yaml');
  writeFileSync(file, 'provisioning: { enabeld: true }\n');
  assert.throws(() => loadServerConfig({ file, env: {} }), new RegExp(`^ConfigError: config ${file}: unknown key 'provisioning\\.enabeld' \\(did you mean 'provisioning\\.enabled'\\?\\)$`));
  assert.throws(() => loadServerConfig({ env: { COHORT_PROVISIONING: 'maybe' } }), /^ConfigError: environment COHORT_PROVISIONING: key 'provisioning\.enabled' must be true or false \(got "maybe"\)$/);
});

test("an agent's section reaches it typed, frozen and defaulted, relative paths resolved against the file", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-agent-sections-'));
  const file = join(dir, 'server.yaml');
  writeFileSync(file, 'nrpe: { conf_dir: nrpe.d }\nca: { enabled: true }\n');
  const { config } = loadServerConfig({ file, env: {} });
  assert.deepEqual({ ...config.nrpe }, { conf_file: '/etc/nagios/nrpe.cfg', conf_dir: join(dir, 'nrpe.d'), allow_arguments: false });
  assert.equal(config.ca.enabled, true);
  assert.equal(config.ca.backend, 'openssl');
  assert.ok(Object.isFrozen(config.nrpe) && Object.isFrozen(config.puppetral.manage));
});
