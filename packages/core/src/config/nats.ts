import { item } from './spec.js';

const urlPattern = '^((nats|tls)://)?[^\\s/,]+$';
const pathOrNull = { type: ['string', 'null'], minLength: 1 } as const;
const stringOrNull = { type: ['string', 'null'], minLength: 1 } as const;

/** `nats.tls:` TLS to the NATS servers (all paths; relative ones are relative to the config file). */
const tlsSection = {
  ca: item<string | null>({
    default: null,
    doc: 'CA certificate(s) (PEM) that sign the NATS server certificate; setting it requires TLS',
    schema: pathOrNull,
    expect: 'a file path',
    path: true,
  }),
  cert: item<string | null>({
    default: null,
    doc: 'client certificate (PEM) for mutual TLS; needs nats.tls.key',
    schema: pathOrNull,
    expect: 'a file path',
    path: true,
  }),
  key: item<string | null>({
    default: null,
    doc: 'private key (PEM) of the client certificate',
    schema: pathOrNull,
    expect: 'a file path',
    path: true,
  }),
} as const;

/**
 * `nats:` section, declared once and shared by the server spec (cohortd) and
 * the client spec (cohort): servers, TLS and credentials.
 */
export const natsSection = {
  servers: item<readonly string[]>({
    default: ['nats://127.0.0.1:4222'],
    doc: 'NATS servers to connect to; reconnects forever, trying each in turn',
    schema: { type: 'array', minItems: 1, items: { type: 'string', pattern: urlPattern } },
    expect: 'a list of URLs (nats://host:port)',
    env: 'COHORT_NATS',
    flag: '--nats',
  }),
  tls: tlsSection,
  user: item<string | null>({
    default: null,
    doc: 'NATS user name (with nats.password); or COHORT_NATS_USER',
    schema: stringOrNull,
    expect: 'a user name',
    env: 'COHORT_NATS_USER',
  }),
  password: item<string | null>({
    default: null,
    doc: 'NATS password (never reported by rpcutil); prefer the COHORT_NATS_PASSWORD variable',
    schema: stringOrNull,
    expect: 'a password',
    env: 'COHORT_NATS_PASSWORD',
  }),
  token: item<string | null>({
    default: null,
    doc: 'NATS authentication token (never reported by rpcutil); or COHORT_NATS_TOKEN',
    schema: stringOrNull,
    expect: 'a token',
    env: 'COHORT_NATS_TOKEN',
  }),
  creds: item<string | null>({
    default: null,
    doc: 'NATS credentials file (user JWT + NKey seed, as made by nsc)',
    schema: pathOrNull,
    expect: 'a file path',
    path: true,
  }),
  nkey: item<string | null>({
    default: null,
    doc: 'file holding an NKey seed (SU...) to log in with',
    schema: pathOrNull,
    expect: 'a file path',
    path: true,
  }),
} as const;
