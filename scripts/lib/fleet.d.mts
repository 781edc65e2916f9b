import type { ChildProcess } from 'node:child_process';
export interface NodeDescriptor {
  identity: string;
  facts: Record<string, unknown>;
  classes: string[];
}
export interface FleetNode {
  identity: string;
  process: ChildProcess;
  configFile: string;
  factsFile: string;
  log(): string;
}
export interface Fleet {
  dir: string;
  nodes: Map<string, FleetNode>;
  /** Environment for the CLI: `COHORT_KEY` (the operator's key) with `secure`; with `registry`, `COHORT_CONFIG` trusting the fleet's issuer; else empty. */
  clientEnv: Record<string, string>;
  /** The issuer public key file that certified the node keys (secure or registry fleets). */
  issuer: string | undefined;
  kill(identity: string, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}
export interface FleetOptions {
  natsUrl: string;
  monitorPort: number;
  nodes: NodeDescriptor[];
  pluginDirs?: string[];
  config?: Record<string, unknown>;
  logLevel?: string;
  dir?: string;
  readyTimeoutMs?: number;
  /** Also wait until every node is in the registry (needs a JetStream-enabled nats-server). */
  registry?: boolean;
  /** Signed mode with throwaway keys (and optional actionpolicy files); default: unsigned mode. */
  secure?: boolean | { policies?: Record<string, string> };
}
export const repoRoot: string;
export const cohortdBin: string;
export const cohortBin: string;
export const exampleNodesDir: string;
export const examplePluginDir: string;
export const exampleClientConfig: string;
export function loadNodeDescriptors(dir?: string): NodeDescriptor[];
export function syntheticNodes(count: number): NodeDescriptor[];
export function startFleet(options: FleetOptions): Promise<Fleet>;
export function waitForSubscriptions(monitorPort: number, identities: string[], timeoutMs: number, nodes?: Map<string, FleetNode>, collective?: string): Promise<void>;
