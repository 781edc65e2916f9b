import type { ChildProcess } from 'node:child_process';
export interface NatsServer {
  url: string;
  port: number;
  monitorPort: number;
  process: ChildProcess;
  stop(): Promise<void>;
  kill(): void;
}
export function findNatsServer(): string | undefined;
export function freePort(): Promise<number>;
export function startNatsServer(options?: { args?: string[]; port?: number; monitorPort?: number; jetstream?: boolean; storeDir?: string }): Promise<NatsServer>;
export function subscribedSubjects(monitorPort: number): Promise<Map<string, number>>;
export interface NatsClusterMember {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  readonly running: boolean;
  /** Start (again) on the same ports; no-op when running. */
  start(): Promise<void>;
  /** SIGKILL and wait for the process to exit. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}
export interface NatsCluster {
  readonly members: NatsClusterMember[];
  readonly urls: string[];
  waitForRoutes(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}
export function startNatsCluster(n?: number): Promise<NatsCluster>;
