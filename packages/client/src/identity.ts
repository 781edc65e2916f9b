import { hostname, userInfo } from 'node:os';

/**
 * Defaults for who the client says it is: callerid `user=<login>` and sender
 * `<hostname>`, reduced to the characters the wire format allows.
 */

/** `user=<os login name>` (falls back to $USER, then the uid). */
export function defaultCallerId(env: NodeJS.ProcessEnv = process.env): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = env['USER'] ?? env['LOGNAME'];
  }
  const clean = (name ?? '').replace(/[^\w.\-@]/g, '_');
  return clean ? `user=${clean}` : `uid=${process.getuid?.() ?? 0}`;
}

/** The host name, as a valid sender identity. */
export function defaultSender(): string {
  const clean = hostname().replace(/[^A-Za-z0-9_\-:.@]/g, '_').replace(/^\.+|\.+$/g, '');
  return clean || 'cohort-client';
}
