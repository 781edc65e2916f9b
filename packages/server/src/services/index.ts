/** The node side of service discovery: services declared on this node, their health and the node's address. */
export { Services, runProbe, type ServicesOptions, type LocalServiceSettings, type Probe } from './services.js';
export {
  parseServiceDefinition,
  parseServiceDefinitions,
  servicesLocalKind,
  healthSource,
  parseTcpTarget,
  defaultProbeIntervalMs,
  defaultProbeTimeoutMs,
  maxServices,
  type ServiceDefinition,
  type ServiceHealthSpec,
} from './definitions.js';
export { healthOfCheck, healthOfCheckState, healthOfHttpStatus, probeHttp, probeTcp, type HealthResult } from './health.js';
export { nodeAddress, addressFacts } from './address.js';
