import { daemonConfigSpec, loadServerConfigOf, useSectionValidators, type ConfigOf, type LoadedConfig, type ServerConfigSources } from '@cohort/core';
import * as generated from './generated/config-validators.js';
import { caSection } from './ca/config.js';
import { nrpeSection } from './nrpe/config.js';
import { provisioningSection } from './provision/config.js';
import { puppetralSection } from './puppetral/config.js';

/**
 * The config sections of the built-in agents, each declared beside its agent
 * (`<agent>/config.ts`). A new built-in agent with settings adds its section
 * file and one line here; its validator is precompiled at build time
 * (scripts/compile-config-validators.mjs) like core's.
 */
export const agentConfigSections = {
  nrpe: nrpeSection,
  puppetral: puppetralSection,
  provisioning: provisioningSection,
  ca: caSection,
} as const;

/**
 * Everything `cohortd` can be configured with: core's daemon sections
 * (`daemonConfigSpec`) plus the built-in agents' sections. `cohortd --help`,
 * validation and `rpcutil get_config_item` read this one spec.
 */
export const serverConfigSpec = { ...daemonConfigSpec, ...agentConfigSections } as const;

// Each agent section's validator is precompiled from its spec (absent only while that script runs);
// core's precompiled daemon validator checks the rest, so cohortd never loads ajv's compiler.
if (generated.validateNrpeConfigLayer) {
  useSectionValidators(serverConfigSpec, daemonConfigSpec, {
    nrpe: generated.validateNrpeConfigLayer,
    puppetral: generated.validatePuppetralConfigLayer,
    provisioning: generated.validateProvisioningConfigLayer,
    ca: generated.validateCaConfigLayer,
  });
}

/** The daemon's typed, frozen configuration. */
export type ServerConfig = ConfigOf<typeof serverConfigSpec>;

/** The built-in agents' sections, typed and frozen as cohortd loaded them (validated, defaults filled in, relative paths resolved). */
export type AgentConfigSections = ConfigOf<typeof agentConfigSections>;

/** A loaded server configuration and the file it came from. */
export type LoadedServerConfig = LoadedConfig<ServerConfig>;

/**
 * Load the daemon configuration: defaults < file < environment < flags.
 * Throws ConfigError naming the file (or variable, or `command line`) and key.
 */
export function loadServerConfig(sources: ServerConfigSources = {}): LoadedServerConfig {
  return loadServerConfigOf(serverConfigSpec, sources);
}
