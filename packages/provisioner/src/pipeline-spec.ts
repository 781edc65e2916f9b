import { item, type ConfigItem } from '@cohort/core';
import { checkNotifiers, notifierItemSchema, type NotifierSpec } from './pipeline-notify.js';

/**
 * The pipeline file (`cohort provisioner run --config pipeline.yaml`) as data:
 * every key declared once with its default, a doc line and a schema, loaded
 * and validated by core's config loader (unknown keys and wrong types are
 * refused naming the key). The steps run in the order of `stepNames`.
 */

const seconds = (min: number, max: number) => ({ type: 'number', minimum: min, maximum: max }) as const;
const name = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:@-]+$' } as const;

const csrFields = ['O', 'OU', 'C', 'L', 'ST'];

/** Settings every step has: on/off, the timeout of one try, how many more tries. */
function stepItems(enabled: boolean, timeout: number, retries: number) {
  return {
    enabled: item<boolean>({ default: enabled, doc: 'run this step', schema: { type: 'boolean' }, expect: 'true or false' }),
    timeout: item<number>({ default: timeout, doc: 'seconds one try may take (the reply timeout of its requests)', schema: seconds(1, 3600), expect: 'seconds from 1 to 3600' }),
    retries: item<number>({ default: retries, doc: 'further tries after a failed one, with backoff', schema: { type: 'integer', minimum: 0, maximum: 20 }, expect: 'a whole number from 0 to 20' }),
  };
}

const optionalString = (doc: string, extra: Partial<ConfigItem<string | null>> = {}) =>
  item<string | null>({ default: null, doc, schema: { type: ['string', 'null'], minLength: 1 }, expect: 'a string', ...extra });

/** The steps, in the order they run (the seed's order). */
export const stepNames = [
  'lock',
  'choose_master',
  'set_master',
  'clean',
  'gencsr',
  'sign',
  'install_cert',
  'puppet_bootstrap',
  'puppet_final',
  'configure',
  'restart',
  'verify',
] as const;
export type StepName = (typeof stepNames)[number];

export const pipelineSpec = {
  name: optionalString('this provisioner: owner of node locks and of claims in the state bucket (default: the host name)', { schema: { ...name, type: ['string', 'null'] }, expect: 'a name (letters, digits and _ . : @ -)' }),
  workers: item<number>({ default: 4, doc: 'nodes provisioned at the same time', schema: { type: 'integer', minimum: 1, maximum: 256 }, expect: 'a whole number from 1 to 256' }),
  interval: item<number>({ default: 60, doc: 'seconds between discoveries of the provisioning collective and scans of the state bucket', schema: seconds(1, 86400), expect: 'seconds from 1 to 86400' }),
  max_queue: item<number>({ default: 50000, doc: 'nodes waiting at most; more are picked up by a later discovery', schema: { type: 'integer', minimum: 1 }, expect: 'a whole number of at least 1' }),
  provisioning: {
    collective: item<string>({ default: 'provisioning', doc: 'collective where unprovisioned nodes wait', schema: name, expect: 'a collective name' }),
    agent: item<string>({ default: 'provision', doc: 'agent nodes waiting to be provisioned host', schema: name, expect: 'an agent name' }),
    token: optionalString('token sent with every provision action (the nodes\' provisioning.token)', { env: 'COHORT_PROVISIONING_TOKEN' }),
  },
  production: {
    collective: item<string>({ default: 'cohort', doc: 'collective of provisioned nodes and of the CA/master nodes', schema: name, expect: 'a collective name' }),
  },
  state: {
    bucket: item<string>({ default: 'cohort_provisioner', doc: 'JetStream key-value bucket holding every node\'s provisioning state', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' }, expect: 'a bucket name (letters, digits, _ and -)' }),
    lease: item<number>({ default: 60, doc: 'seconds a claim on a node lasts unless renewed; a crashed provisioner\'s nodes are resumed after it', schema: seconds(3, 3600), expect: 'seconds from 3 to 3600' }),
    max_attempts: item<number>({ default: 3, doc: 'failed attempts in a row before a node is marked failed', schema: { type: 'integer', minimum: 1, maximum: 100 }, expect: 'a whole number from 1 to 100' }),
    retry_delay: item<number>({ default: 30, doc: 'seconds before a node whose attempt failed is tried again', schema: seconds(0, 86400), expect: 'seconds from 0 to 86400' }),
    cooldown: item<number>({ default: 1800, doc: 'seconds a failed node rests before it is tried again', schema: seconds(0, 604800), expect: 'seconds from 0 to 604800' }),
  },
  backoff: {
    initial: item<number>({ default: 1, doc: 'seconds before the first retry of a step; doubled for each further one', schema: seconds(0, 3600), expect: 'seconds from 0 to 3600' }),
    max: item<number>({ default: 30, doc: 'longest wait between retries of a step', schema: seconds(0, 3600), expect: 'seconds from 0 to 3600' }),
  },
  steps: {
    lock: {
      ...stepItems(true, 30, 2),
      ttl: item<number>({ default: 3600, doc: 'seconds the node-side lock lasts (renewed by every attempt)', schema: { type: 'integer', minimum: 10, maximum: 86400 }, expect: 'a whole number of seconds from 10 to 86400' }),
    },
    choose_master: {
      ...stepItems(true, 30, 2),
      agent: item<string>({ default: 'ca', doc: 'masters/CAs are the production nodes hosting this agent', schema: name, expect: 'an agent name' }),
      criteria: item<readonly string[]>({ default: [], doc: 'facts tried in order: the first master whose fact equals the node\'s wins (e.g. [region, country])', schema: { type: 'array', items: { type: 'string', minLength: 1 } }, expect: 'a list of fact names' }),
      fallback: item<'first' | 'fail'>({ default: 'first', doc: 'when no criterion matches: first (any master, spread by identity) or fail', schema: { enum: ['first', 'fail'] }, expect: 'first or fail' }),
      host_fact: optionalString('master fact holding the host name nodes use for it (default: its identity)'),
      ip_fact: item<string | null>({ default: 'ipaddress', doc: 'master fact holding its IP address, written to the node\'s hosts file (null: none)', schema: { type: ['string', 'null'], minLength: 1 }, expect: 'a fact name or null' }),
      port: item<number>({ default: 8140, doc: 'master port given to set_master', schema: { type: 'integer', minimum: 1, maximum: 65535 }, expect: 'a port number' }),
    },
    set_master: stepItems(true, 60, 2),
    clean: stepItems(true, 60, 2),
    gencsr: {
      ...stepItems(true, 120, 2),
      subject: item<Readonly<Record<string, string>>>({
        default: {},
        doc: 'extra CSR subject fields: O, OU, C, L, ST',
        schema: { type: 'object' },
        expect: 'a mapping of O, OU, C, L, ST to strings',
        check: (v) => {
          const bad = Object.entries(v).find(([k, x]) => !csrFields.includes(k) || typeof x !== 'string' || x === '');
          return bad ? `must be a mapping of ${csrFields.join(', ')} to non-empty strings (got ${JSON.stringify(bad[0])}: ${JSON.stringify(bad[1])})` : undefined;
        },
      }),
    },
    sign: stepItems(true, 60, 2),
    install_cert: stepItems(true, 60, 2),
    puppet_bootstrap: {
      ...stepItems(false, 360, 1),
      environment: item<string>({ default: 'bootstrap', doc: 'Puppet environment of the bootstrap run', schema: name, expect: 'an environment name' }),
    },
    puppet_final: {
      ...stepItems(false, 360, 1),
      environment: item<string>({ default: 'production', doc: 'Puppet environment of the final run', schema: name, expect: 'an environment name' }),
    },
    configure: {
      ...stepItems(true, 60, 2),
      template: optionalString('the final cohortd config, a YAML template: {{identity}}, {{master}}, {{facts.region}}, {{x|json}} ...'),
      template_file: optionalString('file holding that template instead (relative to this file)', { path: true, expect: 'a file path' }),
    },
    restart: {
      ...stepItems(true, 30, 1),
      splay: item<number>({ default: 1, doc: 'seconds the node waits before restarting into its final config', schema: { type: 'integer', minimum: 0, maximum: 60 }, expect: 'a whole number from 0 to 60' }),
    },
    verify: stepItems(true, 120, 0),
  },
  notify: item<readonly NotifierSpec[]>({
    default: [{ type: 'log' }],
    doc: 'notifiers told of every provisioned and failed node: log, webhook (HTTP POST of a JSON event), email (SMTP)',
    schema: notifierItemSchema,
    expect: 'a list of notifiers, each a mapping with type log, webhook or email',
    check: checkNotifiers,
  }),
} as const;
