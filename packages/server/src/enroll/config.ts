import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { EnrollPayload } from './token.js';

/** Where enroll puts the files next to the config. */
export interface EnrollPaths {
  /** The config file written (absolute). */
  readonly config: string;
  /** The bus CA file (when the token has one). */
  readonly ca: string;
  /** The directory of trusted caller keys (absolute): the provisioner's key goes in. */
  readonly trustedKeysDir: string;
  /** The provisioner's public key file. */
  readonly provisionerKey: string;
}

type Doc = Record<string, unknown>;

function section(doc: Doc, key: string): Doc {
  const v = doc[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Doc) : {};
}

/** The files enroll writes for `configFile` whose current contents are `current`. */
export function enrollPaths(configFile: string, current: Doc, provisioner: string): EnrollPaths {
  const config = resolve(configFile);
  const dir = dirname(config);
  const keys = section(current, 'security')['trusted_keys_dir'];
  const trustedKeysDir = typeof keys === 'string' ? (isAbsolute(keys) ? keys : join(dir, keys)) : join(dir, 'trusted_keys');
  return { config, ca: join(dir, 'bus-ca.pem'), trustedKeysDir, provisionerKey: join(trustedKeysDir, `${provisioner}.pub`) };
}

/**
 * The node config after enrolling: the current settings, with the bus, TLS
 * CA and bootstrap user from the token, provisioning mode on (only the
 * token's provisioner may use `provision`), signed mode trusting the
 * provisioner's key. Secrets (NATS password, provisioning token) are not in
 * it: they go to the unit's environment file (`enrollEnvironment`).
 */
export function enrolledConfig(current: Doc, p: EnrollPayload, paths: EnrollPaths, options: { nats?: readonly string[]; identity?: string; facts?: readonly string[] }): Doc {
  const nats: Doc = { ...section(current, 'nats'), servers: [...(options.nats ?? p.nats)] };
  if (p.ca !== undefined) nats['tls'] = { ...section(nats, 'tls'), ca: paths.ca };
  if (p.nats_user !== undefined) nats['user'] = p.nats_user;
  delete nats['password'];
  const security: Doc = { ...section(current, 'security'), mode: 'signed', trusted_keys_dir: paths.trustedKeysDir };
  const provisioning: Doc = { ...section(current, 'provisioning'), enabled: true, provisioners: [p.provisioner] };
  delete provisioning['token'];
  return { ...current, ...(options.identity ? { identity: options.identity } : {}), ...(options.facts ? { facts: [...options.facts] } : {}), nats, security, provisioning };
}

/** Variables for the unit's EnvironmentFile: the token's secrets. */
export function enrollEnvironment(p: EnrollPayload): Record<string, string> {
  return {
    ...(p.nats_password !== undefined ? { COHORT_NATS_PASSWORD: p.nats_password } : {}),
    ...(p.token !== undefined ? { COHORT_PROVISIONING_TOKEN: p.token } : {}),
  };
}

/** `text` (an environment file) with `vars` set: their old lines replaced, other lines kept. */
export function mergeEnvironmentFile(text: string, vars: Record<string, string>): string {
  const keep = text.split('\n').filter((line) => line !== '' && !Object.keys(vars).some((k) => new RegExp(`^\\s*(export\\s+)?${k}=`).test(line)));
  // systemd's EnvironmentFile= syntax: bare, or double-quoted with \" and \\ escapes.
  const set = Object.entries(vars).map(([k, v]) => {
    if (/[\n\r]/.test(v)) throw new Error(`${k}: a value with a line break cannot go into an environment file`);
    return `${k}=${/^[A-Za-z0-9._/:@+=-]*$/.test(v) ? v : `"${v.replace(/[\\"]/g, '\\$&')}"`}`;
  });
  return [...keep, ...set].map((l) => `${l}\n`).join('');
}
