import { rm } from 'node:fs/promises';
import { AgentError } from '../errors.js';
import { readIfExists, writeAtomic } from '../lib/files.js';

/** A provisioner's claim on this node. */
export interface ProvisionLock {
  readonly owner: string;
  /** Unix seconds. */
  readonly expires: number;
}

function parseLock(text: string | undefined): ProvisionLock | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { owner, expires } = value as { owner?: unknown; expires?: unknown };
    return typeof owner === 'string' && owner !== '' && typeof expires === 'number' ? { owner, expires } : undefined;
  } catch {
    return undefined; // a torn or hand-edited file is treated as no lock
  }
}

/** "2026-11-22T01:02:03Z" for a unix time. */
function isoTime(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The provisioning lock, persisted as JSON in one file so it survives a
 * cohortd restart, with an expiry so a crashed provisioner cannot hold a node
 * for ever. Callers serialise access (the agent's mutex).
 */
export class LockStore {
  readonly #file: string;
  readonly #now: () => number;

  constructor(file: string, now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.#file = file;
    this.#now = now;
  }

  /** The unexpired lock, if any. */
  async current(): Promise<ProvisionLock | undefined> {
    const lock = parseLock(await readIfExists(this.#file));
    return lock && lock.expires > this.#now() ? lock : undefined;
  }

  /** Take or renew the lock for `ttl` seconds; AgentError (status 1) while another owner holds it. */
  async lock(owner: string, ttl: number): Promise<ProvisionLock> {
    if (!Number.isInteger(ttl) || ttl < 1) throw new AgentError(`ttl must be a whole number of seconds of at least 1 (got ${ttl})`, 4);
    const held = await this.current();
    if (held && held.owner !== owner) throw new AgentError(`locked by ${held.owner} until ${isoTime(held.expires)}`, 1);
    const lock = { owner, expires: this.#now() + ttl };
    await writeAtomic(this.#file, `${JSON.stringify(lock)}\n`, 0o600);
    return lock;
  }

  /** Release the lock; another owner's lock only with `force` (else AgentError status 1). */
  async unlock(owner: string, force: boolean): Promise<void> {
    const held = await this.current();
    if (held && held.owner !== owner && !force) {
      throw new AgentError(`locked by ${held.owner} until ${isoTime(held.expires)}; only that owner may unlock it (or pass force=true)`, 1);
    }
    await rm(this.#file, { force: true });
  }
}
