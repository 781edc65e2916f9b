import { hostname } from 'node:os';
import { isSubjectSafe } from '../../protocol/subjects.js';
import { envLayers, fileLayer, type ConfigLayer } from '../layers.js';
import * as generated from '../../generated/validators.js';
import { loadConfig } from '../load.js';
import { usePrecompiledValidator } from '../validate.js';
import { item, type ConfigOf, type ConfigSpec } from '../spec.js';
import { loggingSection } from './logging.js';
import { natsSection } from './nats.js';
import { securitySection } from './security.js';
import { registrationSection } from './registration.js';
import { mineDirItem, mineItem } from './mine.js';
import { detectorsItem, metricsSection } from './metrics.js';
import { checksDirItem, checksItem } from './checks.js';
import { templateDataSection, templatesItem } from './templates.js';
import { advertiseAddressItem, servicesDirItem, servicesItem } from './services.js';
import { pluginSyncDirItem, pluginSyncFilterItem, pluginSyncItem } from './plugins.js';

const collectivePattern = /^[A-Za-z0-9_-]+$/;

/**
 * What `cohortd` itself is configured with: everything but the sections of
 * the built-in agents, which each agent declares beside itself
 * (`packages/agents/src/<agent>/config.ts`); `@cohort/agents` assembles the
 * whole spec (`serverConfigSpec`) from this one and theirs. A new daemon
 * section (security, registration, ...) is a file beside this one exporting
 * its items, plus one line below.
 */
export const daemonConfigSpec = {
  identity: item<string>({
    default: hostname(),
    doc: 'name of this node on the bus; defaults to the host name',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
    expect: 'a string',
    env: 'COHORT_IDENTITY',
    flag: '--identity',
    check: (v) =>
      isSubjectSafe(v) ? undefined : `must use only letters, digits and _ - : . @ with no leading, trailing or double dots (got '${v}')`,
  }),
  collectives: item<readonly string[]>({
    default: ['cohort'],
    doc: 'collectives this node joins; the first is the main collective',
    schema: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 128 } },
    expect: 'a non-empty list of distinct collective names',
    flag: '--collective',
    check: (v) => {
      const bad = v.find((c) => !collectivePattern.test(c));
      return bad === undefined ? undefined : `must hold only names of letters, digits, _ and - (got '${bad}')`;
    },
  }),
  facts: item<readonly string[]>({
    default: [],
    doc: 'YAML or JSON fact files, deep-merged in order (later files win)',
    schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    expect: 'a list of file paths',
    flag: '--facts',
    path: true,
  }),
  classes_file: item<string | null>({
    default: null,
    doc: 'file listing the classes applied to this node, one per line',
    schema: { type: ['string', 'null'], minLength: 1 },
    expect: 'a file path',
    flag: '--classes',
    path: true,
  }),
  plugin_dirs: item<readonly string[]>({
    default: [],
    doc: 'directories holding custom agents: <name>.json DDL + <name>.js module, or + an executable <name> / <name>.py|sh|... (docs/external-agents.md)',
    schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    expect: 'a list of directory paths',
    flag: '--plugin-dir',
    path: true,
  }),
  max_concurrency: item<number>({
    default: 16,
    doc: 'actions run at the same time; further requests wait their turn',
    schema: { type: 'integer', minimum: 1, maximum: 4096 },
    expect: 'an integer from 1 to 4096',
  }),
  max_queue: item<number>({
    default: 1000,
    doc: 'requests allowed to wait for a free action slot; beyond that a request is refused at once (status 1, "queue full")',
    schema: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    expect: 'an integer from 0 to 1000000',
  }),
  max_message_bytes: item<number>({
    default: 1024 * 1024,
    doc: 'largest request accepted, in bytes; larger ones are dropped',
    schema: { type: 'integer', minimum: 1024 },
    expect: 'an integer of at least 1024',
  }),
  shutdown_timeout: item<number>({
    default: 10,
    doc: 'seconds to let running actions finish on SIGTERM/SIGINT',
    schema: { type: 'number', minimum: 0 },
    expect: 'a number of seconds (0 or more)',
  }),
  nats: natsSection,
  security: securitySection,
  logging: loggingSection,
  registration: registrationSection,
  mine: mineItem,
  mine_dir: mineDirItem,
  metrics: metricsSection,
  detectors: detectorsItem,
  checks: checksItem,
  checks_dir: checksDirItem,
  templates: templatesItem,
  template_data: templateDataSection,
  services: servicesItem,
  services_dir: servicesDirItem,
  advertise_address: advertiseAddressItem,
  plugin_sync: pluginSyncItem,
  plugin_sync_filter: pluginSyncFilterItem,
  plugin_sync_dir: pluginSyncDirItem,
} as const;

// Precompiled by scripts/compile-validators.mjs from this very spec (absent only while that script runs).
if (generated.validateDaemonConfigLayer) usePrecompiledValidator(daemonConfigSpec, generated.validateDaemonConfigLayer);

/** The daemon's own settings, typed and frozen (cohortd's whole configuration is `ServerConfig` in @cohort/agents). */
export type DaemonConfig = ConfigOf<typeof daemonConfigSpec>;

/** Where the daemon's settings come from; later sources win. */
export interface ServerConfigSources {
  /** Config file (`--config`); defaults to `$COHORTD_CONFIG` (never the client's `$COHORT_CONFIG`) when unset. */
  file?: string | undefined;
  /** Environment (`process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Settings from command-line flags, nested like the file (`{ nats: { servers: [...] } }`). */
  flags?: Record<string, unknown>;
  /** Directory relative paths in flags resolve against (default: the current directory). */
  cwd?: string;
}

/** A loaded daemon configuration and the file it came from. */
export interface LoadedConfig<C> {
  config: C;
  file: string | undefined;
}

/**
 * Load a daemon configuration of `spec` (the daemon's sections plus the
 * agents'): defaults < file < environment < flags. Throws ConfigError naming
 * the file (or variable, or `command line`) and key.
 */
export function loadServerConfigOf<S extends ConfigSpec>(spec: S, sources: ServerConfigSources = {}): LoadedConfig<ConfigOf<S>> {
  const env = sources.env ?? {};
  const file = sources.file ?? (env['COHORTD_CONFIG'] || undefined);
  const layers: ConfigLayer[] = [];
  if (file) layers.push(fileLayer(file));
  layers.push(...envLayers(spec, env));
  if (sources.flags) layers.push({ source: 'command line', values: sources.flags, baseDir: sources.cwd ?? process.cwd() });
  return { config: loadConfig(spec, layers), file };
}
