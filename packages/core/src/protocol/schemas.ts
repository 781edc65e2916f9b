import { factOperators } from '../filter/types.js';
import { ProtocolTag } from './types.js';

/**
 * JSON Schemas (draft-07) for every envelope. The codec validates each decoded
 * message against the schema selected by its `protocol` tag.
 */

/** Most identities a request may name in `targets` (larger target lists are sent without one). */
export const maxSignedTargets = 5000;

const identityish = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_\\-:.@]+$' } as const;
const shortname = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[a-z0-9_]+$' } as const;

export const filterSchema = {
  $id: 'cohort:filter',
  type: 'object',
  additionalProperties: false,
  required: ['fact', 'cf_class', 'agent', 'identity', 'compound'],
  properties: {
    fact: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['fact', 'operator', 'value'],
        properties: {
          fact: { type: 'string', minLength: 1 },
          operator: { enum: [...factOperators] },
          value: { type: 'string' },
        },
      },
    },
    cf_class: { type: 'array', items: { type: 'string', minLength: 1 } },
    agent: { type: 'array', items: { type: 'string', minLength: 1 } },
    identity: { type: 'array', items: { type: 'string', minLength: 1 } },
    compound: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
} as const;

export const requestSchema = {
  $id: ProtocolTag.Request,
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'id', 'sender', 'callerid', 'collective', 'agent', 'action', 'data', 'filter', 'ttl', 'time', 'reply_to'],
  properties: {
    protocol: { const: ProtocolTag.Request },
    id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    sender: identityish,
    callerid: { type: 'string', pattern: '^\\w+=[\\w.\\-@]+$', maxLength: 255 },
    collective: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_\\-]+$' },
    agent: shortname,
    action: shortname,
    data: { type: 'object' },
    filter: { $ref: 'cohort:filter' },
    ttl: { type: 'integer', minimum: 1, maximum: 86400 },
    time: { type: 'integer', minimum: 0 },
    reply_to: { type: 'string', minLength: 1, maxLength: 512, pattern: '^[^\\s*>]+$' },
    targets: { type: 'array', minItems: 1, maxItems: maxSignedTargets, items: identityish },
  },
} as const;

export const replySchema = {
  $id: ProtocolTag.Reply,
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'request_id', 'sender', 'agent', 'action', 'statuscode', 'statusmsg', 'data', 'time'],
  properties: {
    protocol: { const: ProtocolTag.Reply },
    request_id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    sender: identityish,
    agent: shortname,
    action: shortname,
    statuscode: { type: 'integer', minimum: 0, maximum: 5 },
    statusmsg: { type: 'string' },
    data: { type: 'object' },
    time: { type: 'integer', minimum: 0 },
  },
} as const;

const hexKey = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const hexSignature = { type: 'string', pattern: '^[0-9a-f]{128}$' } as const;

/** An issuer-signed certificate document (`NAME.cert`, and inside signed envelopes). */
export const certificateSchema = {
  $id: 'cohort:certificate:1',
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'certificate', 'signature'],
  properties: {
    protocol: { const: 'cohort:certificate:1' },
    certificate: { type: 'string', minLength: 2, maxLength: 4096 },
    signature: hexSignature,
  },
} as const;

/** The parsed `certificate` text of a certificate document. */
export const certificateBodySchema = {
  $id: 'cohort:certificate-body:1',
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'subject', 'public_key', 'issuer', 'issued_at', 'expires_at'],
  properties: {
    kind: { enum: ['caller', 'node'] },
    subject: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\w.\\-@:=]+$' },
    public_key: hexKey,
    issuer: hexKey,
    issued_at: { type: 'integer', minimum: 0 },
    expires_at: { type: ['integer', 'null'], minimum: 0 },
  },
} as const;

export const secureRequestSchema = {
  $id: ProtocolTag.SecureRequest,
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'request', 'signature', 'public_key'],
  properties: {
    protocol: { const: ProtocolTag.SecureRequest },
    request: { type: 'string', minLength: 2 },
    signature: hexSignature,
    public_key: hexKey,
    certificate: { $ref: 'cohort:certificate:1' },
  },
} as const;

export const secureReplySchema = {
  $id: ProtocolTag.SecureReply,
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'reply', 'signature', 'public_key'],
  properties: {
    protocol: { const: ProtocolTag.SecureReply },
    reply: { type: 'string', minLength: 2 },
    signature: hexSignature,
    public_key: hexKey,
    certificate: { $ref: 'cohort:certificate:1' },
  },
} as const;
