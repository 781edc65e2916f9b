import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, envLayers, errorMessage, fileLayer, loadConfig, type ConfigLayer, type ConfigOf } from '@cohort/core';
import { pipelineSpec, stepNames, type StepName } from './pipeline-spec.js';
import { checkTemplate } from './template.js';

/** The pipeline file as loaded: typed, frozen, with defaults. */
export type PipelineFile = ConfigOf<typeof pipelineSpec>;

/** A validated pipeline: the file plus what follows from it. */
export interface Pipeline {
  readonly file: string | undefined;
  readonly config: PipelineFile;
  /** This provisioner's name (`name`, default the host name). */
  readonly name: string;
  /** Enabled steps, in order. */
  readonly steps: readonly StepName[];
  /** The final config template (from `template` or `template_file`), when configure runs. */
  readonly template: string | undefined;
}

/** Names the final config template may use: `{{identity}}`, `{{facts.region}}` ... */
export const configTemplateRoots = [
  'identity',
  'certname',
  'master',
  'master_ip',
  'master_port',
  'ca',
  'fingerprint',
  'ssl_dir',
  'facts',
  'collective',
  'provisioner',
] as const;

/** Steps that need an earlier one: `sign` signs the CSR `gencsr` made, and so on. */
const needs: ReadonlyArray<[StepName, StepName]> = [
  ['set_master', 'choose_master'],
  ['clean', 'choose_master'],
  ['sign', 'choose_master'],
  ['sign', 'gencsr'],
  ['install_cert', 'sign'],
];

/** Load and check a pipeline file. Throws ConfigError naming the file and key. */
export function loadPipeline(file: string, env: Readonly<Record<string, string | undefined>> = {}): Pipeline {
  return pipelineFromLayers([fileLayer(file), ...envLayers(pipelineSpec, env)], file);
}

/** Build a pipeline from already-parsed settings (tests, embedding). */
export function pipelineFromValues(values: unknown, source = 'pipeline', baseDir?: string): Pipeline {
  return pipelineFromLayers([{ source, values, ...(baseDir !== undefined ? { baseDir } : {}) }], undefined);
}

function pipelineFromLayers(layers: readonly ConfigLayer[], file: string | undefined): Pipeline {
  const config = loadConfig(pipelineSpec, layers);
  const where = file ? `config ${file}` : (layers[0]?.source ?? 'pipeline');
  const steps = stepNames.filter((s) => config.steps[s].enabled);
  for (const [step, need] of needs) {
    if (steps.includes(step) && !steps.includes(need)) {
      throw new ConfigError(`${where}: steps.${step} needs steps.${need} (enable it, or set steps.${step}.enabled: false)`);
    }
  }
  const template = steps.includes('configure') ? readTemplate(config, where) : undefined;
  return Object.freeze({ file, config, name: config.name ?? hostname(), steps, template });
}

function readTemplate(config: PipelineFile, where: string): string {
  const { template, template_file: templateFile } = config.steps.configure;
  if (template !== null && templateFile !== null) throw new ConfigError(`${where}: give steps.configure.template or steps.configure.template_file, not both`);
  let text: string;
  if (template !== null) {
    text = template;
  } else if (templateFile !== null) {
    try {
      text = readFileSync(templateFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`${where}: key 'steps.configure.template_file': cannot read ${templateFile}: ${errorMessage(err)}`, { cause: err });
    }
  } else {
    throw new ConfigError(
      `${where}: steps.configure needs the final cohortd config: steps.configure.template (YAML with {{identity}}, {{master}} ...) or steps.configure.template_file; or set steps.configure.enabled: false`,
    );
  }
  const key = template !== null ? "key 'steps.configure.template'" : `key 'steps.configure.template_file': ${templateFile}`;
  const problem = checkTemplate(text, configTemplateRoots);
  if (problem) throw new ConfigError(`${where}: ${key}: ${problem}`);
  return text;
}
