export function registryKey(identity: string): string;
export function waitForRegistry(natsUrl: string, identities: string[], options?: { timeoutMs?: number; collective?: string; onWait?: () => void }): Promise<void>;
