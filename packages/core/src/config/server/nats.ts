import { item } from '../spec.js';

const urlPattern = '^((nats|tls)://)?[^\\s/,]+$';

/** `nats:` section of the server configuration. */
export const natsSection = {
  servers: item<readonly string[]>({
    default: ['nats://127.0.0.1:4222'],
    doc: 'NATS servers to connect to; reconnects forever, trying each in turn',
    schema: { type: 'array', minItems: 1, items: { type: 'string', pattern: urlPattern } },
    expect: 'a list of URLs (nats://host:port)',
    env: 'COHORT_NATS',
    flag: '--nats',
  }),
} as const;
