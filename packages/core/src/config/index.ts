/**
 * Configuration as data: settings declared once with defaults and docs, read
 * from defaults < file < environment < flags, validated once (ajv), typed and frozen.
 */
export { item, isItem, itemsOf, type ConfigItem, type ConfigOf, type ConfigSpec, type JsonSchema } from './spec.js';
export { envLayers, fileLayer, textLayer, yamlErrorText, type ConfigLayer } from './layers.js';
export { ageSeconds, durationSeconds, messageCount, parseAge, parseBytes, parseDuration, parseMessages, sizeBytes } from './units.js';
export { loadConfig, configValue, type ConfigLookup } from './load.js';
export { validateLayer, layerProblem, useSectionValidators, type LayerProblem, type LayerValidator } from './validate.js';
export { natsSection } from './nats.js';
export { clientConfigSpec, type ClientConfigSettings } from './client/index.js';
export { describeConfig } from './describe.js';
export { didYouMean } from './suggest.js';
export { daemonConfigSpec, loadServerConfigOf, type DaemonConfig, type ServerConfigSources, type LoadedConfig } from './server/index.js';
export { metricCollectorNames, type MetricCollectorName, type DetectorSpec } from './server/metrics.js';
export { logMaxSizeBytes } from './server/logging.js';
export { parseTemplates, defaultTemplateDebounceMs, type TemplateSettings } from './server/templates.js';
