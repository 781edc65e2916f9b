import { keyId, verifyText, type Signer } from '@cohort/core';

/**
 * An enrollment token: everything a fresh machine needs to join the
 * provisioning pipeline, signed by the provisioner's key. Made by
 * `cohortd enroll-token` on the provisioner's side, given to
 * `cohortd enroll --provisioner-token` (or cloud-init) on the new machine.
 *
 * Text form: `cohort-enroll-1.<base64url of the payload JSON>.<signature hex>`.
 * The signature (Ed25519, by `public_key`) covers the exact payload JSON, so
 * a token changed or cut in transit is refused. The token carries the
 * bootstrap NATS credentials and the optional provisioning secret: treat it
 * like a password (it expires).
 */
export interface EnrollPayload {
  readonly v: 1;
  /** The provisioner's caller id (e.g. `provisioner=eu-1`): the only caller the node lets use `provision`. */
  readonly provisioner: string;
  /** The provisioner's Ed25519 public key, hex: the node trusts it as `provisioner`. */
  readonly public_key: string;
  /** NATS URLs of the bus. */
  readonly nats: readonly string[];
  /** PEM of the CA that signed the NATS servers' certificates (tls:// URLs). */
  readonly ca?: string;
  /** Bootstrap NATS credentials. */
  readonly nats_user?: string;
  readonly nats_password?: string;
  /** `provisioning.token`: a secret every provision action must also carry. */
  readonly token?: string;
  /** Unix ms: when made, and until when it may be used. */
  readonly issued: number;
  readonly expires: number;
}

const prefix = 'cohort-enroll-1.';

/** Problems with a token, each saying what to fix. */
export class EnrollTokenError extends Error {
  override readonly name = 'EnrollTokenError';
}

/** Make the token text for `payload` (without v/public_key/provisioner: they come from `signer`). */
export function makeEnrollToken(signer: Signer, fields: Omit<EnrollPayload, 'v' | 'public_key' | 'provisioner'>): string {
  const payload: EnrollPayload = { v: 1, provisioner: signer.subject, public_key: signer.publicKey, ...fields };
  const json = JSON.stringify(payload);
  return `${prefix}${Buffer.from(json, 'utf8').toString('base64url')}.${signer.sign(json)}`;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '');
}

/**
 * Decode and verify a token's text: shape, signature, and (when
 * `expectedKey` is given, hex) that it is signed by that key. Throws
 * EnrollTokenError saying what is wrong. Time is checked by `tokenTimeProblem`.
 */
export function openEnrollToken(text: string, expectedKey?: string): EnrollPayload {
  const t = text.trim();
  const wrong = (why: string) => new EnrollTokenError(`wrong token: ${why}; copy the whole token again (cohortd enroll-token prints it on the provisioner's side)`);
  if (!t.startsWith(prefix)) throw wrong(`it does not start with ${prefix}`);
  const [body, signature, ...rest] = t.slice(prefix.length).split('.');
  if (!body || !signature || rest.length > 0 || !/^[0-9a-f]{128}$/.test(signature)) throw wrong('it is not <payload>.<signature>');
  const json = Buffer.from(body, 'base64url').toString('utf8');
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw wrong('its payload is not JSON (cut or changed?)');
  }
  if (p['v'] !== 1) throw wrong(`unknown token version ${JSON.stringify(p['v'])} (a newer cohortd made it?)`);
  if (typeof p['public_key'] !== 'string' || !/^[0-9a-f]{64}$/.test(p['public_key'])) throw wrong('no valid public_key');
  let verified = false;
  try {
    verified = verifyText(p['public_key'], json, signature);
  } catch {
    verified = false;
  }
  if (!verified) throw wrong('its signature does not match its contents (changed or cut in transit)');
  if (expectedKey !== undefined && expectedKey !== p['public_key']) {
    throw new EnrollTokenError(`wrong token: signed by key ${keyId(p['public_key'])}, but this machine expects the provisioner key ${keyId(expectedKey)} (--provisioner-key); ask for a token made with that key`);
  }
  if (typeof p['provisioner'] !== 'string' || !/^[^=\s]+=[^\s]+$/.test(p['provisioner'])) throw wrong('no provisioner caller id (kind=name)');
  if (!isStringArray(p['nats'])) throw wrong('no NATS URLs');
  for (const k of ['ca', 'nats_user', 'nats_password', 'token'] as const) if (p[k] !== undefined && typeof p[k] !== 'string') throw wrong(`${k} is not a string`);
  if (typeof p['issued'] !== 'number' || typeof p['expires'] !== 'number' || p['expires'] <= p['issued']) throw wrong('no valid issued/expires times');
  return p as unknown as EnrollPayload;
}

/**
 * The clock check a token allows: it was made on the provisioner's machine
 * at `issued` by its clock, so a token "from the future" beyond `maxSkewMs`
 * means this machine's clock is behind; past `expires` it is expired, or this
 * machine's clock is ahead. Undefined when fine.
 */
export function tokenTimeProblem(p: EnrollPayload, now: number, maxSkewMs: number): string | undefined {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (now < p.issued - maxSkewMs) {
    const behind = Math.round((p.issued - now) / 1000);
    return `clock skew: this machine's clock (${iso(now)}) is at least ${behind} s behind the provisioner's, which made the token at ${iso(p.issued)}; signed requests would be refused. Set the time (timedatectl set-ntp true, or chrony/ntpd) and enroll again`;
  }
  if (now > p.expires) {
    return `the token expired at ${iso(p.expires)} (this machine's clock says ${iso(now)}); make a new one (cohortd enroll-token --ttl ...), or, if that time is wrong, set this machine's clock (timedatectl set-ntp true)`;
  }
  return undefined;
}
