// Runtime: Node (connector). `buildApp(deps)`: the whole HTTP surface of the connector, WITHOUT listen()
// (fastify `build(opts)` style), so tests drive it with `app.inject()` and server.ts alone opens a port.
// Routes: GET /api/health, POST /api/recipients/classify, GET /api/policy; the built add-in (webpack output) and
// office.js as static files; the demo harness when enabled. One error mapper for every failure.

import fastifyStatic from '@fastify/static';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressKind, Classification, DirectoryLookup, Policy, PolicyMode, TrustSpace } from '../core';
import type { Config, LogLevel } from './config';
import { accountRoutes } from './account-routes';
import { adminStatusRoutes, adminTracesRoutes } from './admin';
import { createEntraVerifier, type EntraVerifier } from './auth';
import { directoryRoutes } from './directory-routes';
import { messagesRoutes } from './messages-routes';
import { ApiError, batchViolationTranslator, toApiError, type ValidationTranslator } from './errors';
import { registerHelpPage } from './help-page';
import { pscRoutes, type PscClient } from './psc';
import { officeJsDistDir, packageVersion } from './package-root';
import {
  BODY_LIMIT_BYTES,
  CLASSIFY_MAX_ITEMS,
  classifyRouteSchema,
  healthRouteSchema,
  policyRouteSchema,
} from './schemas';
import type { AuditDetails, AuditOutcome, Store } from './store';
import { registerWellKnown } from './well-known';
import { createTenantConfig, type TenantConfig } from './tenant-config';

/** A directory loaded in memory: the look-up the core uses, and its size for /api/health. */
export interface LoadedDirectory {
  readonly lookup: DirectoryLookup;
  readonly size: number;
}

/** Everything the app needs, built by server.ts (or a test) beforehand. */
export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly trustSpace: TrustSpace;
  readonly directory: LoadedDirectory;
  /**
   * A logger instance, or `false` for none. Absent ⇒ a pino logger at `config.log.level` that logs no request
   * body, no query string and redacts authorization / cookie headers.
   */
  readonly logger?: FastifyBaseLogger | false;
  /** Clock (default `new Date()`); the store stamps audit rows with its own. */
  readonly now?: () => Date;
  /**
   * TLS key pair (PEM). Fastify takes it at construction, so server.ts passes it here; tests that use
   * `app.inject()` leave it out.
   */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Entra token verifier (tests pass one over a local key set); default: built from `config.entra`, if any. */
  readonly verifyEntra?: EntraVerifier;
  /** Woken when the API queues a message (the outbound worker of server.ts). */
  readonly outbound?: { notify(): void };
  /**
   * Pro Santé Connect client (server.ts builds it when `psc` is configured): adds /psc/start and /psc/callback;
   * without it, /api/psc/session answers PSC_DISABLED.
   */
  readonly psc?: PscClient;
  /**
   * The live structure configuration (tenant-config.ts): routes read policy, gateways, senders, admins and the
   * classifier from it per request, so a reload applies without restart. Absent ⇒ a holder over `config` that
   * cannot reload (tests).
   */
  readonly tenant?: TenantConfig;
}

/** Per-route options (route `config`) read by the error mapper and the audit. */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Translates schema violations of this route's body into a specific error code. */
    translateValidation?: ValidationTranslator;
    /** Audit action recorded for every call of this route, accepted or rejected. */
    auditAction?: string;
  }
}

/** Pino options of the default logger: ids and codes, never bodies, query strings or credentials. */
export function loggerOptions(level: LogLevel): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'req.body', 'res.headers["set-cookie"]'],
      censor: '[masqué]',
    },
    serializers: {
      req(req: { method?: string; url?: string; ip?: string; id?: string }) {
        return { id: req.id, method: req.method, url: (req.url ?? '').split('?')[0], remoteAddress: req.ip };
      },
    },
  };
}

/** The French page sent on `/` when the add-in has not been built yet. */
function notBuiltPage(staticDir: string, target: string): string {
  return `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>mss-outlook : add-in non construit</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; line-height: 1.5">
<h1>L'add-in n'est pas encore construit</h1>
<p>Le connecteur fonctionne (voir <a href="/api/health">/api/health</a>), mais la page <code>${escapeHtml(target)}</code>
est introuvable dans le dossier de l'add-in (<code>addin.staticDir</code>).</p>
<p>Lancez <code>npm run build</code> (ou <code>npm run build:web</code>) puis rechargez cette page,
ou démarrez tout d'un coup avec <code>npm start</code>.</p>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isHarnessPath(pathName: string): boolean {
  return pathName === '/harness.html' || pathName === '/harness' || pathName.startsWith('/harness/');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Builds the connector app (not listening). The classifier, the policy, the senders and the admins come from the
 * live structure configuration (`deps.tenant`), read per request: a reload applies without restart.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, store, trustSpace, directory } = deps;
  const loggerOpt: Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> =
    deps.logger === false ? { logger: false } : deps.logger ? { loggerInstance: deps.logger } : { logger: loggerOptions(config.log.level) };

  const app = Fastify({
    ...loggerOpt,
    bodyLimit: BODY_LIMIT_BYTES,
    // Ajv: no silent coercion (42 must not become "42") and no silent removal of unknown fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
    ...(deps.tls ? { https: { key: deps.tls.key, cert: deps.tls.cert } } : {}),
  }) as unknown as FastifyInstance; // with `https` the raw server is an https.Server; routes and inject() are the same
  const api = app.withTypeProvider<JsonSchemaToTsProvider>();

  // Only JSON bodies: without this, Fastify's default text/plain parser would accept a string body.
  app.removeContentTypeParser('text/plain');

  const tenant = deps.tenant ?? createTenantConfig({ initial: { config, trustSpace, directory } });
  /** The classifier of the configuration in service (rebuilt by the holder at each reload). */
  const classify = (address: string) => tenant.current().classify(address);

  async function audit(action: string, outcome: AuditOutcome, code: string | undefined, details: AuditDetails, log: FastifyBaseLogger): Promise<void> {
    try {
      await store.appendAudit({ actor: 'api', action, outcome, ...(code ? { code } : {}), details });
    } catch (err) {
      // Fail-open, by decision: classification is a read-only question; an audit failure is logged, not shown.
      log.error({ err: { message: (err as Error).message }, action }, 'audit_failed');
    }
  }

  // ---- one error mapper -------------------------------------------------------------------------------------
  app.setErrorHandler(async (err, request, reply) => {
    const routeConfig = request.routeOptions?.config ?? {};
    const { apiError, internal } = toApiError(err, {
      body: request.body,
      translate: routeConfig.translateValidation,
      bodyLimit: BODY_LIMIT_BYTES,
    });
    if (internal) request.log.error({ err }, 'internal_error');
    else request.log.info({ code: apiError.code, status: apiError.statusCode }, 'request_rejected');
    if (routeConfig.auditAction) {
      await audit(routeConfig.auditAction, internal ? 'error' : 'rejected', apiError.code, {}, request.log);
    }
    return reply.code(apiError.statusCode).type('application/json; charset=utf-8').send(apiError.toBody());
  });

  app.setNotFoundHandler(async (request, reply) => {
    const e = new ApiError('NOT_FOUND', `Ressource introuvable : ${request.method} ${request.url.split('?')[0].slice(0, 200)}.`);
    return reply.code(404).type('application/json; charset=utf-8').send(e.toBody());
  });

  // ---- API --------------------------------------------------------------------------------------------------
  api.get('/api/health', { schema: healthRouteSchema }, async () => ({
    status: 'ok' as const,
    version: packageVersion(),
    trustSpace: { domains: tenant.current().trustSpace.size, generatedAt: tenant.current().trustSpace.generatedAt ?? null },
    directory: { entries: tenant.current().directory.size },
    store: { type: store.type, schemaVersion: store.schemaVersion() },
  }));

  api.post(
    '/api/recipients/classify',
    { schema: classifyRouteSchema, config: { translateValidation: batchViolationTranslator(CLASSIFY_MAX_ITEMS), auditAction: 'classify' } },
    async (request) => {
      const results = request.body.addresses.map((a) => classify(a));
      const kinds: Partial<Record<AddressKind, number>> = {};
      for (const r of results) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
      await audit('classify', 'ok', undefined, { count: results.length, kinds: kinds as Record<string, number> }, request.log);
      return { results };
    },
  );

  /** What GET /api/policy sends: the policy, gateways and internal domains of the configuration in service. */
  const policyView = (config: Config) => ({
    // the schema also sends situations added to the core Policy later (additionalProperties)
    policy: { ...config.policy } as Policy & Record<string, PolicyMode>,
    gateways: config.gateways.map((g) => ({
      id: g.id,
      ...(g.label !== undefined ? { label: g.label } : {}),
      domain: g.domain,
      ...(g.localTemplate !== undefined ? { localTemplate: g.localTemplate } : {}),
    })),
    internalDomains: [...config.internalDomains],
  });
  api.get('/api/policy', { schema: policyRouteSchema }, async () => policyView(tenant.current().config));

  registerHelpPage(app, config.policy);

  registerWellKnown(app, config);

  const verify = deps.verifyEntra ?? (config.entra ? createEntraVerifier(config.entra) : undefined);
  // Pro Santé Connect: /api/psc/session (bound to the Entra identity) always; /psc/start and /psc/callback with a client
  void app.register(
    pscRoutes({
      ...(deps.psc ? { client: deps.psc } : {}),
      ...(verify ? { verify } : {}),
      publicUrl: config.server.publicUrl,
      ...(deps.now ? { now: () => (deps.now as () => Date)().getTime() } : {}),
      ...(config.psc ? { ticketTtlMs: config.psc.ticketTtlSeconds * 1000, allowUserQuery: config.psc.allowUserQuery } : {}),
    }),
  );
  void app.register(
    messagesRoutes({
      store,
      ...(verify ? { verify } : {}),
      // getters: read per request from the configuration in service (tenant-config.ts)
      get senders() {
        return tenant.current().config.senders;
      },
      get policy() {
        return tenant.current().config.policy;
      },
      get productReference() {
        return tenant.current().config.outbound.productReference;
      },
      get operatorMaxBytes() {
        const mb = tenant.current().config.outbound.maxMessageMegabytes;
        return mb === undefined ? undefined : mb * 1024 * 1024;
      },
      get xdmSourceId() {
        return tenant.current().config.outbound.xdmSourceId;
      },
      classify,
      // the directory in service (follows reloads and index swaps), when it is a DirectoryService
      suggestMssanteAddress: (c) => {
        const d = tenant.current().directory as { suggestMssanteAddress?: (c: Classification) => string | undefined };
        return typeof d.suggestMssanteAddress === 'function' ? d.suggestMssanteAddress(c) : undefined;
      },
      ...(deps.outbound ? { onQueued: () => deps.outbound?.notify() } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    }),
  );
  void app.register(adminTracesRoutes({ store, ...(verify ? { verify } : {}), get admins() { return tenant.current().config.admin.users; } }));
  void app.register(adminStatusRoutes({ store, tenant, ...(verify ? { verify } : {}), ...(deps.now ? { now: deps.now } : {}) }));
  void app.register(accountRoutes({ entra: config.entra, ...(verify ? { verify } : {}), get senders() { return tenant.current().config.senders; }, classify }));

  // directory audit: counts and codes per period, written off the request path (directory/audit.ts)
  void app.register(directoryRoutes, { directory: tenant.liveDirectory(), audit: store });

  // ---- static files -----------------------------------------------------------------------------------------
  const staticDir = config.addin.staticDir;
  const harness = config.harness.enabled;

  app.get('/', async (_request, reply) => {
    const target = harness ? 'harness.html' : 'taskpane.html';
    if (existsSync(join(staticDir, target))) return reply.redirect(`/${target}`, 302);
    return reply.code(503).type('text/html; charset=utf-8').send(notBuiltPage(staticDir, target));
  });

  if (isDirectory(staticDir)) {
    void app.register(fastifyStatic, {
      root: staticDir,
      prefix: '/',
      index: false,
      redirect: false,
      // Icons: NO Cache-Control at all, or Office substitutes a default icon (OUTLOOK.md §5.2,
      // learn.microsoft.com/javascript/api/manifest/image). Other files: revalidate at each load, so a rebuild shows.
      cacheControl: false,
      setHeaders(reply, filePath) {
        const rel = filePath.slice(staticDir.length).replace(/\\/g, '/');
        if (!rel.startsWith('/assets/')) void reply.header('cache-control', 'no-cache');
      },
      allowedPath: (pathName) => harness || !isHarnessPath(pathName),
    });
  }

  const officeJs = officeJsDistDir();
  if (officeJs) {
    void app.register(fastifyStatic, {
      root: officeJs,
      prefix: '/office-js/',
      decorateReply: false,
      index: false,
      redirect: false,
    });
  }

  return app;
}

export { ERROR_CODES, errorCodesMarkdown } from './errors';
