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
export function startNatsServer(options?: { args?: string[]; port?: number; jetstream?: boolean; storeDir?: string }): Promise<NatsServer>;
export function subscribedSubjects(monitorPort: number): Promise<Map<string, number>>;
