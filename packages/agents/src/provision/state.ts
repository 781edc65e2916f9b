import { readIfExists, writeAtomic } from '../lib/files.js';

/** What the agent remembers between requests and restarts (beside the lock). */
export interface ProvisionState {
  /** The certname gencsr last used; status and install_cert use it. */
  certname?: string;
}

/** Read the state file; an absent or unreadable file is an empty state. */
export async function readState(file: string): Promise<ProvisionState> {
  const text = await readIfExists(file);
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return {};
    const { certname } = value as { certname?: unknown };
    return typeof certname === 'string' && certname !== '' ? { certname } : {};
  } catch {
    return {};
  }
}

export async function writeState(file: string, state: ProvisionState): Promise<void> {
  await writeAtomic(file, `${JSON.stringify(state)}\n`, 0o600);
}
