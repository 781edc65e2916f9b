import { errorMessage } from '@cohort/core';
import { simNode } from './facts.js';
import { startVirtualNode, type SimShared, type VirtualNode } from './virtual-node.js';

export interface SimFleetOptions {
  /** Identity prefix: `<prefix>-00001`. */
  readonly prefix: string;
  /** Index of the first node (1-based), so several processes share one numbering. */
  readonly first: number;
  readonly count: number;
  /** Nodes connecting at the same time (a burst of thousands of connects overwhelms nothing but is slower). */
  readonly concurrency: number;
  readonly shared: SimShared;
}

/** Virtual nodes running in this process. */
export interface SimFleet {
  readonly nodes: readonly VirtualNode[];
  /** Stop every node (registry records deleted, shutdown events sent, connections drained). */
  stop(): Promise<void>;
}

/** Start `count` virtual nodes, `concurrency` at a time; if one fails to start, the started ones are stopped and the error thrown. */
export async function startSimFleet(options: SimFleetOptions): Promise<SimFleet> {
  const nodes: VirtualNode[] = [];
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < options.count) {
      const index = options.first + next++;
      try {
        nodes.push(await startVirtualNode(simNode(options.prefix, index), options.shared));
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, options.count)) }, worker));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop().catch((err: unknown) => options.shared.log.warn(`${n.identity}: ${errorMessage(err)}`))));
  };
  if (failure !== undefined) {
    await stop();
    throw failure;
  }
  return { nodes, stop };
}
