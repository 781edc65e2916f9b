import { isIP } from 'node:net';

/** Where the server listens. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Parse `--listen ADDR:PORT` (`127.0.0.1:5353`, `[::1]:5353`, `0.0.0.0:53`); an error names what is wrong. */
export function parseListen(text: string): ListenAddress | { error: string } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) return { error: `--listen '${text}' is not ADDRESS:PORT (e.g. 127.0.0.1:5353 or [::1]:5353)` };
  const host = m[1]!;
  const port = Number(m[2]);
  if (isIP(host) === 0) return { error: `--listen '${text}': '${host}' is not an IPv4 or IPv6 address` };
  if (!Number.isInteger(port) || port < 0 || port > 65535) return { error: `--listen '${text}': port ${m[2]} is not between 0 and 65535` };
  return { host, port };
}
