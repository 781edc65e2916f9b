import { connect } from 'node:net';
import { errorMessage, type CheckState, type CheckStateRecord, type ServiceHealth } from '@cohort/core';
import { hostPort } from './definitions.js';

/** A health and why. */
export interface HealthResult {
  readonly health: ServiceHealth;
  readonly output: string;
}

/** The record's `output` is kept short. */
export const maxOutputLength = 200;

export function shortOutput(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= maxOutputLength ? one : `${one.slice(0, maxOutputLength - 3)}...`;
}

/** A check's state as a service health: ok and maintenance passing, warning warning, critical critical, unknown and pending unknown. */
export function healthOfCheckState(state: CheckState): ServiceHealth {
  switch (state) {
    case 'ok':
    case 'maintenance':
      return 'passing';
    case 'warning':
      return 'warning';
    case 'critical':
      return 'critical';
    case 'unknown':
    case 'pending':
      return 'unknown';
  }
}

/** The health of a service decided by the node-side check `name` (its record, or undefined when this node runs no such check). */
export function healthOfCheck(name: string, record: CheckStateRecord | undefined): HealthResult {
  if (record === undefined) return { health: 'unknown', output: `no check '${name}' runs on this node` };
  const health = healthOfCheckState(record.state);
  const why = record.state === 'pending' ? 'not run yet' : record.state === 'maintenance' ? `in maintenance: ${record.maintenance?.reason ?? ''}` : record.output;
  return { health, output: shortOutput(`check '${name}' ${record.state.toUpperCase()}: ${why}`) };
}

/** An HTTP status as a health: 2xx passing, 429 warning, anything else critical (as Consul). */
export function healthOfHttpStatus(status: number): ServiceHealth {
  if (status >= 200 && status <= 299) return 'passing';
  if (status === 429) return 'warning';
  return 'critical';
}

/** Connect to host:port within `timeoutMs`: passing when it connects, critical when refused, unreachable or too slow. */
export function probeTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<HealthResult> {
  const target = hostPort(host, port);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let done = false;
    const finish = (r: HealthResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ health: 'critical', output: `TCP ${target}: no connection within ${timeoutMs / 1000} s` }), timeoutMs);
    const onAbort = (): void => finish({ health: 'critical', output: `TCP ${target}: probe aborted (${errorMessage(signal?.reason)})` });
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ health: 'passing', output: `TCP ${target}: connected` }));
    socket.once('error', (err) => finish({ health: 'critical', output: shortOutput(`TCP ${target}: ${errorMessage(err)}`) }));
  });
}

/** GET `url` within `timeoutMs` (redirects followed): 2xx passing, 429 warning, other statuses, refused and timed out critical. */
export async function probeHttp(url: string, timeoutMs: number, signal?: AbortSignal): Promise<HealthResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const res = await fetch(url, { method: 'GET', signal: both, headers: { 'user-agent': 'cohortd service probe', accept: '*/*' } });
    await res.body?.cancel().catch(() => undefined);
    return { health: healthOfHttpStatus(res.status), output: shortOutput(`HTTP ${res.status} ${res.statusText}`.trim()) };
  } catch (err) {
    if (timeout.aborted) return { health: 'critical', output: `HTTP GET ${url}: no answer within ${timeoutMs / 1000} s` };
    const cause = err instanceof Error && err.cause !== undefined ? `: ${errorMessage(err.cause)}` : '';
    return { health: 'critical', output: shortOutput(`HTTP GET ${url}: ${errorMessage(err)}${cause}`) };
  }
}
