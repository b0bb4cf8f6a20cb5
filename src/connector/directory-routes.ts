// Runtime: Node (connector). The directory HTTP API used by the task pane and the send handler, as a Fastify plugin
// registered by buildApp: POST /api/directory/lookup (batch ≤ 500), GET /api/directory/search (paged),
// POST /api/directory/suggest ("vous vouliez dire"). Schemas on every route; errors go through the app's one
// error mapper (errors.ts). Logs carry counts, never addresses or names.

import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { DirectoryEntry } from '../core';
import { DirectoryService } from './directory/service';
import { ApiError, batchViolationTranslator } from './errors';

/** Largest batch of POST /api/directory/lookup. */
export const DIRECTORY_LOOKUP_MAX = 500;
/** Largest page of GET /api/directory/search. */
export const DIRECTORY_PAGE_MAX = 100;

/** What the plugin needs: the directory service (or any {lookup,size}, served as a look-up-only directory). */
export interface DirectoryRoutesOptions {
  readonly directory: DirectoryService | { readonly lookup: (a: string) => DirectoryEntry | undefined; readonly size: number };
}

const recordSchema = { type: 'object', additionalProperties: { type: 'string' } } as const;

const lookupSchema = {
  body: {
    type: 'object',
    required: ['addresses'],
    additionalProperties: false,
    properties: { addresses: { type: 'array', minItems: 1, maxItems: DIRECTORY_LOOKUP_MAX, items: { type: 'string', maxLength: 998 } } },
  },
  response: {
    200: {
      type: 'object',
      required: ['results'],
      properties: {
        results: {
          type: 'array',
          items: {
            type: 'object',
            required: ['address', 'found'],
            properties: {
              address: { type: 'string' },
              found: { type: 'boolean' },
              source: { type: 'string', enum: ['annuaire', 'fhir'] },
              type: { type: 'string' },
              name: { type: 'string' },
              profession: { type: 'string' },
              structure: { type: 'string' },
              invalid: { type: 'boolean' },
              record: recordSchema,
              fhirError: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
  },
} as const;

const searchSchema = {
  querystring: {
    type: 'object',
    required: ['q'],
    additionalProperties: false,
    properties: {
      q: { type: 'string', minLength: 1, maxLength: 200 },
      // the app's Ajv does not coerce types: query-string numbers are checked as digit strings
      page: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' },
      pageSize: { type: 'string', pattern: '^([1-9]|[1-9][0-9]|100)$' },
      type: { type: 'string', enum: ['PER', 'ORG', 'APP', 'CAB'] },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['total', 'totalIsExact', 'page', 'pageSize', 'results'],
      properties: {
        total: { type: 'integer' },
        totalIsExact: { type: 'boolean' },
        page: { type: 'integer' },
        pageSize: { type: 'integer' },
        results: { type: 'array', items: recordSchema },
      },
    },
  },
} as const;

const suggestSchema = {
  body: {
    type: 'object',
    required: ['address'],
    additionalProperties: false,
    properties: { address: { type: 'string', minLength: 1, maxLength: 998 }, displayName: { type: 'string', maxLength: 300 } },
  },
  response: {
    200: {
      type: 'object',
      required: ['address', 'candidates'],
      properties: {
        address: { type: 'string' },
        candidates: {
          type: 'array',
          items: {
            type: 'object',
            required: ['address', 'confidence', 'evidence'],
            properties: {
              address: { type: 'string' },
              confidence: { type: 'number' },
              evidence: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
              record: recordSchema,
            },
          },
        },
      },
    },
  },
} as const;

/** The plugin. */
export const directoryRoutes: FastifyPluginAsync<DirectoryRoutesOptions> = async (app: FastifyInstance, opts) => {
  const api = app.withTypeProvider<JsonSchemaToTsProvider>();
  // a bare {lookup,size} (older callers, some tests) has no index to search: no directory API then
  if (!(opts.directory instanceof DirectoryService)) return;
  const service = opts.directory;

  api.post('/api/directory/lookup', { schema: lookupSchema, config: { translateValidation: batchViolationTranslator(DIRECTORY_LOOKUP_MAX) } }, async (request, reply) => {
    // answered from the local index alone: the JSON is written directly (same text as the schema serializer's)
    const fast = service.lookupManyJson(request.body.addresses);
    if (fast !== undefined) {
      request.log.info({ count: request.body.addresses.length, found: fast.found }, 'directory_lookup');
      // a string with a JSON content type is sent as it is (fastify reply.send): not serialised twice
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(fast.body);
    }
    const results = await service.lookupMany(request.body.addresses);
    let found = 0;
    for (const r of results) if (r.found) found++;
    request.log.info({ count: results.length, found }, 'directory_lookup');
    // DirectoryRecord is an interface of strings: the schema's `additionalProperties: string` shape
    return { results: results as unknown as { address: string; found: boolean; record?: Record<string, string> }[] };
  });

  api.get('/api/directory/search', { schema: searchSchema }, async (request) => {
    const { q, page, pageSize, type } = request.query;
    if (q.trim().length < 2) {
      throw new ApiError('DIRECTORY_QUERY_TOO_SHORT', undefined, { minLength: 2 });
    }
    const r = service.search(q, { page: page ? Number(page) : 1, pageSize: pageSize ? Number(pageSize) : 20, ...(type ? { types: [type] } : {}) });
    request.log.info({ total: r.total, page: r.page }, 'directory_search');
    return r as unknown as Omit<typeof r, 'results'> & { results: Record<string, string>[] };
  });

  api.post('/api/directory/suggest', { schema: suggestSchema }, async (request) => {
    const { address, displayName } = request.body;
    const candidates = service.suggest(address, displayName);
    request.log.info({ candidates: candidates.length }, 'directory_suggest');
    return { address, candidates: candidates as unknown as { address: string; confidence: number; evidence: { code: string; message: string }[]; record?: Record<string, string> }[] };
  });
};
