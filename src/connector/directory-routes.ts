// Runtime: Node (connector). The directory HTTP API used by the task pane and the send handler, as a Fastify plugin
// registered by buildApp: POST /api/directory/lookup (batch ≤ 500), GET /api/directory/search (paged),
// POST /api/directory/suggest ("vous vouliez dire"). Schemas on every route; errors go through the app's one
// error mapper (errors.ts). Logs carry counts, never addresses or names.

import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { DirectoryEntry } from '../core';
import { DirectoryAudit, type DirectoryAuditAction, type DirectoryAuditSink } from './directory/audit';
import { DirectoryService } from './directory/service';
import { ApiError, batchViolationTranslator, toApiError } from './errors';
import { BODY_LIMIT_BYTES } from './schemas';

/** Largest batch of POST /api/directory/lookup. */
export const DIRECTORY_LOOKUP_MAX = 500;
/** Largest page of GET /api/directory/search. */
export const DIRECTORY_PAGE_MAX = 100;

/** What the plugin needs: the directory service (or any {lookup,size}, served as a look-up-only directory). */
export interface DirectoryRoutesOptions {
  readonly directory: DirectoryService | { readonly lookup: (a: string) => DirectoryEntry | undefined; readonly size: number };
  /**
   * [none: no audit] Where the audit rows of the directory API go (the connector's store). Counts and codes only,
   * one row per action/outcome/code and period (directory/audit.ts), never on the request path.
   */
  readonly audit?: DirectoryAuditSink;
  /** [60,000] Audit period (ms). */
  readonly auditIntervalMs?: number;
}

/** Audit action of each route. */
const AUDIT_ACTION_OF_URL: Readonly<Record<string, DirectoryAuditAction>> = {
  '/api/directory/lookup': 'directory_lookup',
  '/api/directory/search': 'directory_search',
  '/api/directory/suggest': 'directory_suggest',
};

const recordSchema = { type: 'object', additionalProperties: { type: 'string' } } as const;

const lookupSchema = {
  body: {
    type: 'object',
    required: ['addresses'],
    additionalProperties: false,
    properties: {
      addresses: { type: 'array', minItems: 1, maxItems: DIRECTORY_LOOKUP_MAX, items: { type: 'string', maxLength: 998 } },
      // [false] the full extraction record (31 columns) of each found address; without it, the identity the add-in
      // shows (address, type, name, profession, structure)
      record: { type: 'boolean' },
    },
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
  const audit = opts.audit
    ? new DirectoryAudit({
        sink: opts.audit,
        ...(opts.auditIntervalMs !== undefined ? { intervalMs: opts.auditIntervalMs } : {}),
        onError: (err) => app.log.error({ err: { message: err.message } }, 'directory_audit_failed'),
      })
    : undefined;
  if (audit) {
    // refused requests (schema, size, media type...) are counted by their API error code, as the client sees it
    app.addHook('onError', async (request, _reply, error) => {
      const action = AUDIT_ACTION_OF_URL[request.routeOptions.url ?? ''];
      if (action === undefined) return;
      const { apiError, internal } = toApiError(error, { body: request.body, translate: request.routeOptions.config.translateValidation, bodyLimit: BODY_LIMIT_BYTES });
      audit.rejected(action, apiError.code, internal);
    });
    app.addHook('onClose', async () => {
      await audit.close();
    });
  }

  api.post('/api/directory/lookup', { schema: lookupSchema, config: { translateValidation: batchViolationTranslator(DIRECTORY_LOOKUP_MAX) } }, async (request, reply) => {
    // answered from the local index alone: the JSON is written directly as UTF-8 bytes (same text as the schema
    // serializer's); a Buffer is sent as it is by fastify (not serialised, not re-encoded)
    const withRecord = request.body.record === true;
    const fast = service.lookupManyJson(request.body.addresses, withRecord);
    if (fast !== undefined) {
      audit?.lookup(request.body.addresses.length, fast.found, fast.invalid);
      request.log.info({ count: request.body.addresses.length, found: fast.found }, 'directory_lookup');
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(Buffer.from(fast.body.buffer, fast.body.byteOffset, fast.body.byteLength));
    }
    const results = await service.lookupMany(request.body.addresses, withRecord);
    let found = 0;
    let invalid = 0;
    let fhirFound = 0;
    let fhirErrors = 0;
    for (const r of results) {
      if (r.found) found++;
      if (r.invalid) invalid++;
      if (r.source === 'fhir') fhirFound++;
      if (r.fhirError) fhirErrors++;
    }
    audit?.lookup(results.length, found, invalid, fhirFound, fhirErrors);
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
    audit?.search(r.results.length, r.total);
    request.log.info({ total: r.total, page: r.page }, 'directory_search');
    return r as unknown as Omit<typeof r, 'results'> & { results: Record<string, string>[] };
  });

  api.post('/api/directory/suggest', { schema: suggestSchema }, async (request) => {
    const { address, displayName } = request.body;
    const candidates = service.suggest(address, displayName);
    audit?.suggest(candidates.length);
    request.log.info({ candidates: candidates.length }, 'directory_suggest');
    return { address, candidates: candidates as unknown as { address: string; confidence: number; evidence: { code: string; message: string }[]; record?: Record<string, string> }[] };
  });
};
