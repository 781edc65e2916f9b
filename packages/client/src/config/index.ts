/** The client's configuration: the file (found and parsed), durations typed by operators. */
export { parseClientConfig, loadClientConfig, clientConfigKeys, type ClientFileConfig, type LoadedClientConfig } from './load.js';
export { configPath, type ClientSecurityConfig } from './security.js';
export { parseDuration } from './duration.js';
