// Runtime: Node (connector). The administrators' read-only view of the ANS traces: GET /api/admin/traces (JSON,
// filters mailbox / action / from / to), GET /api/admin/traces.csv?mailbox= (export of one mailbox) and the page
// /admin/traces.html. Same Entra token as the add-in; only the users listed in admin.users; disabled when the list
// is empty (404 ADMIN_DISABLED).

import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerIdentity, isAdmin, type EntraVerifier } from '../auth';
import { ApiError } from '../errors';
import { TRACE_ACTIONS, type Store, type TraceAction, type TraceFilter } from '../store';
import { tracesToCsv } from '../traces/csv';
import { ADMIN_TRACES_PAGE } from './traces-page';

/** Options of {@link adminTracesRoutes}. */
export interface AdminTracesOptions {
  readonly store: Store;
  readonly verify?: EntraVerifier;
  readonly admins: readonly string[];
}

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mailbox: { type: 'string', maxLength: 320 },
    action: { type: 'string', enum: [...TRACE_ACTIONS] },
    from: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
    to: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
    limit: { type: 'string', pattern: '^[0-9]{1,6}$' },
  },
} as const;

interface TraceQuery {
  mailbox?: string;
  action?: TraceAction;
  from?: string;
  to?: string;
  limit?: string;
}

function filterOf(q: TraceQuery): TraceFilter {
  return {
    ...(q.mailbox ? { mailbox: q.mailbox.trim().toLowerCase() } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.from ? { from: Date.parse(`${q.from}T00:00:00Z`) } : {}),
    // `to` is a day, inclusive
    ...(q.to ? { to: Date.parse(`${q.to}T00:00:00Z`) + 86_400_000 } : {}),
    limit: q.limit ? Number(q.limit) : 1000,
  };
}

/** Registers the admin routes (a Fastify plugin). */
export function adminTracesRoutes(opts: AdminTracesOptions) {
  async function requireAdmin(request: FastifyRequest): Promise<void> {
    if (opts.admins.length === 0 || !opts.verify) throw new ApiError('ADMIN_DISABLED');
    const who = await bearerIdentity(request, opts.verify);
    if (!isAdmin(opts.admins, who)) throw new ApiError('ADMIN_FORBIDDEN');
  }
  return async function plugin(app: FastifyInstance): Promise<void> {
    const api = app.withTypeProvider<JsonSchemaToTsProvider>();
    app.get('/admin/traces.html', async (_request, reply) => {
      if (opts.admins.length === 0 || !opts.verify) throw new ApiError('ADMIN_DISABLED');
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'").send(ADMIN_TRACES_PAGE);
    });
    api.get('/api/admin/traces', { schema: { querystring: querySchema } }, async (request) => {
      await requireAdmin(request);
      const traces = await opts.store.listTraces(filterOf(request.query as TraceQuery));
      return { traces: traces.map((t) => ({ ...t, tsUtc: new Date(t.tsUtc).toISOString() })) };
    });
    api.get('/api/admin/traces.csv', { schema: { querystring: querySchema } }, async (request, reply) => {
      await requireAdmin(request);
      const q = request.query as TraceQuery;
      if (!q.mailbox || !/^[^\s@]+@[^\s@]+$/.test(q.mailbox)) throw new ApiError('TRACES_MAILBOX_REQUIRED');
      const traces = await opts.store.listTraces({ ...filterOf(q), limit: 100_000 });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="traces-${q.mailbox.replace(/[^a-z0-9.@-]/gi, '_')}-${day}.csv"`)
        .header('cache-control', 'no-store')
        .send(tracesToCsv(traces));
    });
  };
}
