/** The client's configuration: core's layering of the client spec (file < environment < flags), in the client's units. */
export { parseClientConfig, loadClientConfig, clientConfigKeys, type ClientConfig, type ClientConfigSources } from './load.js';
export { type ClientSecurityConfig } from './security.js';
export { parseDuration } from './duration.js';
