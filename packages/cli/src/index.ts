/**
 * `@cohort/cli`: the `cohort` command line as a library, for running it
 * in-process (tests, wrappers) and for reusing its renderers.
 */
export { main, packageVersion } from './main.js';
export { processIo, memoryIo, type CliIo, type OutputStream } from './io.js';
export {
  ExitCode,
  exitCodeForStats,
  exitCodeForOutcome,
  exitCodeForError,
  errorReport,
  ParseError,
  type Outcome,
} from './exit.js';
export { parseClientConfig, loadClientConfig, clientConfigKeys, type ClientConfig, type ClientConfigSources } from '@cohort/client';
export { parseDuration } from '@cohort/client';
export { displayMode, shouldShow, renderReply, type DisplayMode } from './render/reply.js';
export { renderFooter, renderSummaries, renderStats } from './render/footer.js';
export { rpcJson, stringifyJson, type RpcJson, type JsonReply } from './render/json.js';
export { groupFactValues, renderFactReport, factText, type FactValueGroup } from './render/facts.js';
export { renderInventory, flattenFacts } from './render/inventory.js';
export { renderPluginDoc } from './render/plugin-doc.js';
export { columns, formatValue, colour } from './render/text.js';
export { RpcPresenter, rpcOutputMode, type RpcOutputMode } from './run/rpc-output.js';
export { replyFilterArg } from './run/reply-filter.js';
export { layoutTable, columnWidths, renderReplyTable, truncate, cellText, pipeTableWidth, minColumnWidth } from './render/table.js';
export { parseKeyValues } from './run/inputs.js';
export { resolveDiscoveryChoice, type DiscoveryChoice } from './discovery-method.js';
export { evaluateRegistry, formatRegistryCheck, unknownRegistryCheck, type RegistryCheckOptions, type RegistryCheckResult, type StaleNode } from './render/registry-check.js';
