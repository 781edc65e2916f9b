/** The web console (issue 20): the HTTP API in this directory, the page in ../ui. */
export { buildConsole } from './server.js';
export { HttpError } from './http-error.js';
export type { ConsoleDeps, ConsoleLog } from './routes/context.js';
export { defaultUiDir, sendUiFile } from './static.js';
export { openEventStream, type EventStream } from './sse.js';
export { loadWebConfig, parseWebConfig, defaultWebConfig, parseListenAddress, webConfigKeys, type WebConfig } from './config.js';
export { readUsers, parseUsers, writeUsers, formatUsers, allowed, parseAllow, userNameProblem, type WebUser, type Role } from './users.js';
export { addUser, changeUser, deleteUser, type UserChange } from './user-admin.js';
export { hashPassword, verifyPassword, hashProblem, defaultScryptParams } from './password.js';
export { SessionCodec, loadSecret, sessionCookie, passwordGeneration, type SessionData } from './session.js';
export { RateLimiter } from './rate-limit.js';
export { routeTable, ruleFor, roleAllows, needsCsrf, type RouteRule } from './roles.js';
export { contentSecurityPolicy, securityHeaders } from './headers.js';
export { Fleet, groupNodes, parseWebFilter, FilterError, RegistrySource } from './fleet.js';
export { Jobs, jobSummaries, storable, newJobId, type JobRecord, type JobReply, type JobDetail } from './jobs.js';
export { installInfo } from './install.js';
export { graphiteStats, StatsError } from './stats.js';
export { findResultsTemplate, templateNames } from './templates.js';
