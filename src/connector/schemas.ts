// Runtime: Node (connector). JSON schemas of the HTTP API. They validate requests (Ajv), serialise responses
// (fast-json-stringify: a field missing here is NOT sent, so nothing leaks by accident) and, through
// @fastify/type-provider-json-schema-to-ts, type the handlers: one definition, three uses.

import { ADDRESS_ERROR_CODES, ADDRESS_KINDS, MAILBOX_TYPES, POLICY_MODES, REASON_CODES } from '../core';
import { ERROR_CODES } from './errors';

/** Most addresses accepted in one classify call. */
export const CLASSIFY_MAX_ITEMS = 500;
/** Longest accepted item (a display name plus an address; RFC 5321 caps the address itself at 254). */
export const CLASSIFY_MAX_LENGTH = 1000;
/** Largest accepted request body, in bytes. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export const errorBodySchema = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CODES) },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

const directoryEntrySchema = {
  type: 'object',
  required: ['address', 'mailboxType'],
  additionalProperties: false,
  properties: {
    address: { type: 'string' },
    mailboxType: { type: 'string', enum: MAILBOX_TYPES },
    displayName: { type: 'string' },
    profession: { type: 'string' },
    organisation: { type: 'string' },
  },
} as const;

/** `Classification` of src/core/types.ts. */
export const classificationSchema = {
  type: 'object',
  required: ['input', 'kind', 'reason'],
  additionalProperties: false,
  properties: {
    input: { type: 'string' },
    address: { type: 'string' },
    displayName: { type: 'string' },
    kind: { type: 'string', enum: ADDRESS_KINDS },
    reason: { type: 'string', enum: REASON_CODES },
    mailboxType: { type: 'string', enum: MAILBOX_TYPES },
    decodedAddress: { type: 'string' },
    gatewayId: { type: 'string' },
    addressError: { type: 'string', enum: ADDRESS_ERROR_CODES },
    directory: directoryEntrySchema,
  },
} as const;

export const classifyRouteSchema = {
  summary: 'Classe une liste d\'adresses (MSSanté, patient, passerelle, interne, externe, invalide).',
  body: {
    type: 'object',
    required: ['addresses'],
    additionalProperties: false,
    properties: {
      addresses: {
        type: 'array',
        minItems: 1,
        maxItems: CLASSIFY_MAX_ITEMS,
        items: { type: 'string', maxLength: CLASSIFY_MAX_LENGTH },
      },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['results'],
      additionalProperties: false,
      properties: { results: { type: 'array', items: classificationSchema } },
    },
    '4xx': errorBodySchema,
    '5xx': errorBodySchema,
  },
} as const;

export const healthRouteSchema = {
  summary: 'État du connecteur.',
  response: {
    200: {
      type: 'object',
      required: ['status', 'version', 'trustSpace', 'directory', 'store'],
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: ['ok'] },
        version: { type: 'string' },
        trustSpace: {
          type: 'object',
          required: ['domains', 'generatedAt'],
          additionalProperties: false,
          properties: {
            domains: { type: 'integer' },
            /** DateDeGeneration of the liste blanche (ISO 8601), null when unknown. */
            generatedAt: { type: ['string', 'null'] },
          },
        },
        directory: {
          type: 'object',
          required: ['entries'],
          additionalProperties: false,
          properties: { entries: { type: 'integer' } },
        },
        store: {
          type: 'object',
          required: ['type', 'schemaVersion'],
          additionalProperties: false,
          properties: { type: { type: 'string', enum: ['sqlite', 'postgres'] }, schemaVersion: { type: 'integer' } },
        },
      },
    },
    '5xx': errorBodySchema,
  },
} as const;

const policyModeSchema = { type: 'string', enum: POLICY_MODES } as const;

export const policyRouteSchema = {
  summary: 'Partie publique de la configuration dont l\'add-in a besoin (jamais de secret).',
  response: {
    200: {
      type: 'object',
      required: ['policy', 'gateways', 'internalDomains'],
      additionalProperties: false,
      properties: {
        policy: {
          type: 'object',
          required: ['healthDataToNonMssante', 'mixedRecipients', 'gatewayRecipient', 'patientWithoutQualifiedIns'],
          properties: {
            healthDataToNonMssante: policyModeSchema,
            mixedRecipients: policyModeSchema,
            gatewayRecipient: policyModeSchema,
            patientWithoutQualifiedIns: policyModeSchema,
          },
          // situations added to the core policy later are sent too
          additionalProperties: policyModeSchema,
        },
        gateways: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'domain'],
            additionalProperties: false,
            properties: {
              id: { type: 'string' },
              label: { type: 'string' },
              domain: { type: 'string' },
              localTemplate: { type: 'string' },
            },
          },
        },
        internalDomains: { type: 'array', items: { type: 'string' } },
      },
    },
    '5xx': errorBodySchema,
  },
} as const;
