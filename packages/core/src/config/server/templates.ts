import { isAbsolute } from 'node:path';
import { parseMineDuration } from '../../mine/duration.js';
import { item } from '../spec.js';

/**
 * `templates:` in the server configuration: files this node renders from the
 * service catalogue, a key-value bucket and its own facts (Kunai's
 * generators, consul-template's job; docs/service-discovery.md, "Templates"):
 *
 *   templates:
 *     haproxy:
 *       source: /etc/cohort/templates/haproxy.cfg.njk
 *       destination: /etc/haproxy/haproxy.cfg
 *       command: [/usr/bin/systemctl, reload, haproxy]
 *       debounce: 2s
 *   template_data:
 *     kv_bucket: cohort_kv_dc1          # default: cohort_kv_<main collective>
 *     issuers: [/etc/cohort/issuer.pub] # default: security.issuers
 */

/** One template, checked. */
export interface TemplateSettings {
  readonly name: string;
  /** Absolute path of the template file (nunjucks syntax). */
  readonly source: string;
  /** Absolute path of the rendered file. */
  readonly destination: string;
  /** Run (no shell) after the destination's content changed; empty for none. */
  readonly command: readonly string[];
  /** Milliseconds to wait for more changes before rendering. */
  readonly debounceMs: number;
  /** Milliseconds the command may run. */
  readonly commandTimeoutMs: number;
}

/** Default wait for more changes before rendering. */
export const defaultTemplateDebounceMs = 500;
/** Default limit on the command's run time. */
export const defaultTemplateCommandTimeoutMs = 60_000;

const templateKeys = ['source', 'destination', 'command', 'debounce', 'command_timeout'];

const templateSchema = {
  type: 'object',
  required: ['source', 'destination'],
  properties: {
    source: { type: 'string', minLength: 1 },
    destination: { type: 'string', minLength: 1 },
    command: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    debounce: { type: ['string', 'number'] },
    command_timeout: { type: ['string', 'number'] },
  },
  additionalProperties: false,
};

function duration(value: unknown, what: string, zeroOk: boolean): number | string {
  if (zeroOk && (value === 0 || value === '0')) return 0;
  const ms = parseMineDuration(value);
  return typeof ms === 'string' ? `${what} ${ms}` : ms;
}

/** Check the `templates:` map: the templates and a reason per bad one (naming it and the setting). */
export function parseTemplates(value: Readonly<Record<string, unknown>>): { templates: TemplateSettings[]; errors: string[] } {
  const templates: TemplateSettings[] = [];
  const errors: string[] = [];
  const destinations = new Map<string, string>();
  for (const [name, raw] of Object.entries(value)) {
    const bad = (why: string) => errors.push(`template '${name}': ${why}`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      bad('must be a mapping with source, destination and optionally command, debounce, command_timeout');
      continue;
    }
    const t = raw as Record<string, unknown>;
    const unknown = Object.keys(t).find((k) => !templateKeys.includes(k));
    if (unknown) {
      bad(`unknown setting '${unknown}' (valid: ${templateKeys.join(', ')})`);
      continue;
    }
    const { source, destination, command } = t;
    if (typeof source !== 'string' || !isAbsolute(source)) {
      bad('source must be an absolute path to the template file');
      continue;
    }
    if (typeof destination !== 'string' || !isAbsolute(destination)) {
      bad('destination must be an absolute path to the file to write');
      continue;
    }
    if (command !== undefined && (!Array.isArray(command) || command.length === 0 || !command.every((a) => typeof a === 'string' && a !== ''))) {
      bad('command must be a non-empty list of strings (program and arguments; no shell)');
      continue;
    }
    const debounceMs = t['debounce'] === undefined ? defaultTemplateDebounceMs : duration(t['debounce'], 'debounce', true);
    if (typeof debounceMs === 'string') {
      bad(debounceMs);
      continue;
    }
    const commandTimeoutMs = t['command_timeout'] === undefined ? defaultTemplateCommandTimeoutMs : duration(t['command_timeout'], 'command_timeout', false);
    if (typeof commandTimeoutMs === 'string') {
      bad(commandTimeoutMs);
      continue;
    }
    const other = destinations.get(destination);
    if (other !== undefined) {
      bad(`destination ${destination} is also written by template '${other}'`);
      continue;
    }
    destinations.set(destination, name);
    templates.push({ name, source, destination, command: (command as string[] | undefined) ?? [], debounceMs, commandTimeoutMs });
  }
  return { templates, errors };
}

export const templatesItem = item<Readonly<Record<string, unknown>>>({
  default: {},
  doc: 'templates: name -> { source, destination, command: [argv], debounce, command_timeout }; files rendered (nunjucks) from the service catalogue, a key-value bucket and this node\'s facts (docs/service-discovery.md)',
  schema: { type: 'object', propertyNames: { pattern: '^[A-Za-z0-9_.-]{1,64}$' }, additionalProperties: templateSchema },
  expect: 'a map of template names to { source, destination, command, debounce }',
  check: (v) => parseTemplates(v).errors[0],
});

/** Where the templates' data comes from. */
export const templateDataSection = {
  kv_bucket: item<string | null>({
    default: null,
    doc: 'key-value bucket whose keys templates see as kv (default cohort_kv_<main collective>, the bucket of cohort kv)',
    schema: { type: ['string', 'null'], pattern: '^[A-Za-z0-9_-]{1,64}$' },
    expect: 'a bucket name (letters, digits, _ and -) or null',
  }),
  issuers: item<readonly string[] | null>({
    default: null,
    doc: 'issuer public key files whose node certificates are trusted when reading registry records for templates (default: security.issuers)',
    schema: { type: ['array', 'null'], items: { type: 'string', minLength: 1 } },
    expect: 'a list of file paths or null',
    path: true,
  }),
  node_keys_dir: item<string | null>({
    default: null,
    doc: 'directory of trusted node public keys (<identity>.pub) for reading registry records for templates',
    schema: { type: ['string', 'null'], minLength: 1 },
    expect: 'a directory path or null',
    path: true,
  }),
};
