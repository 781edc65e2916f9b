import { LifecycleEvent, RegistryTag } from './registration.js';

/**
 * JSON Schemas (draft-07) of the registration and lifecycle envelopes,
 * precompiled at build time (scripts/compile-validators.mjs).
 */

const identityish = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_\\-:.@]+$' } as const;
const collective = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_\\-]+$' } as const;
const collectives = { type: 'array', minItems: 1, items: collective } as const;
const unixMs = { type: 'integer', minimum: 0 } as const;
const serviceLabel = { type: 'string', minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$' } as const;

export const registrationSchema = {
  $id: RegistryTag.Registration,
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'identity', 'collectives', 'facts', 'classes', 'agents', 'version', 'started_at', 'time', 'interval'],
  properties: {
    protocol: { const: RegistryTag.Registration },
    identity: identityish,
    collectives,
    facts: { type: 'object' },
    classes: { type: 'array', items: { type: 'string', minLength: 1 } },
    agents: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[a-z0-9_]+$' } },
    version: { type: 'string', maxLength: 64 },
    started_at: unixMs,
    time: unixMs,
    interval: { type: 'integer', minimum: 1 },
    address: { type: 'string', minLength: 1, maxLength: 64 },
    services: {
      type: 'array',
      maxItems: 256,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'port', 'tags', 'health', 'health_source', 'since'],
        properties: {
          name: serviceLabel,
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          tags: { type: 'array', maxItems: 64, items: serviceLabel },
          health: { enum: ['passing', 'warning', 'critical', 'unknown'] },
          health_source: { type: 'string', maxLength: 512 },
          output: { type: 'string', maxLength: 1024 },
          since: unixMs,
        },
      },
    },
    plugins: {
      type: 'array',
      maxItems: 1024,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'version', 'state', 'digest'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' },
          version: { type: 'string', minLength: 1, maxLength: 64 },
          state: { enum: ['enabled', 'disabled', 'debug'] },
          digest: { type: 'string', maxLength: 64 },
          since: unixMs,
          claimed_at: unixMs,
          released_at: unixMs,
        },
      },
    },
    plugin_errors: {
      type: 'array',
      maxItems: 1024,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'version', 'reason'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 64 },
          version: { type: 'string', maxLength: 64 },
          reason: { type: 'string', maxLength: 1024 },
          time: unixMs,
        },
      },
    },
  },
} as const;

export const lifecycleSchema = {
  $id: RegistryTag.Lifecycle,
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'event', 'identity', 'collectives', 'version', 'started_at', 'time'],
  properties: {
    protocol: { const: RegistryTag.Lifecycle },
    event: { enum: Object.values(LifecycleEvent) },
    identity: identityish,
    collectives,
    version: { type: 'string', maxLength: 64 },
    started_at: unixMs,
    time: unixMs,
  },
} as const;
