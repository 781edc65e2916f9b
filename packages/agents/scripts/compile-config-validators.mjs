#!/usr/bin/env node
// Build step: precompiles the layer validator of each built-in agent's config
// section (src/<agent>/config.ts) with core's build-time compiler, into
// src/generated/config-validators.ts, so cohortd checks its whole config
// without compiling a schema at start-up (core precompiles its own sections).
// Run with tsx, after @cohort/core is built: node --import tsx scripts/compile-config-validators.mjs
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { layerValidatorsModule } from '@cohort/core/config-compile';

const out = new URL('../src/generated/config-validators.ts', import.meta.url);
mkdirSync(new URL('../src/generated/', import.meta.url), { recursive: true });
// src/config.ts imports the module written here; on a fresh clone give it an empty one until then.
if (!existsSync(out)) writeFileSync(out, '// placeholder: replaced by scripts/compile-config-validators.mjs\nexport {};\n');
const { agentConfigSections } = await import('../src/config.ts');
const names = { nrpe: 'validateNrpeConfigLayer', puppetral: 'validatePuppetralConfigLayer', provisioning: 'validateProvisioningConfigLayer', ca: 'validateCaConfigLayer' };
const specs = {};
for (const [key, spec] of Object.entries(agentConfigSections)) {
  const name = names[key];
  if (name === undefined) throw new Error(`compile-config-validators: no validator name for section '${key}': add it to the names table`);
  specs[name] = spec;
}
const text = layerValidatorsModule(specs, 'packages/agents/scripts/compile-config-validators.mjs');
if (!existsSync(out) || readFileSync(out, 'utf8') !== text) writeFileSync(out, text);
