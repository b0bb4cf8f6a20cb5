// Runtime: Node (connector). The administrators' read-only status of the connector: GET /api/admin/status (JSON),
// GET /api/admin/status/view (the same, as server-rendered HTML for the page), the page /admin/status.html, and
// POST /api/admin/config/reload (re-reads the structure configuration, tenant-config.ts). Same authentication as the
// traces page (traces-routes.ts): the add-in's Entra token, users of admin.users only, 404 ADMIN_DISABLED when the
// list is empty. Shows ids, counts, codes and dates only: no message content, no recipient address; secrets masked.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerIdentity, isAdmin, type EntraVerifier } from '../auth';
import { CONFIG_REFERENCE, type Config, type SettingSource } from '../config';
import { DirectoryService } from '../directory/service';
import { ApiError } from '../errors';
import { STATUS_LABELS_FR } from '../messages-routes';
import { packageVersion } from '../package-root';
import { OUTBOUND_STATUSES, type OutboundStatus, type Store } from '../store';
import { isReloadable, RELOAD_TRIGGERS, type ReloadReport, type TenantConfig } from '../tenant-config';
import { createOperatorProbe, type OperatorProbe, type OperatorStatus } from './operator-probe';
import { ADMIN_STATUS_PAGE, renderStatusHtml } from './status-page';

/** Options of {@link adminStatusRoutes}. */
export interface AdminStatusOptions {
  readonly store: Store;
  readonly tenant: TenantConfig;
  readonly verify?: EntraVerifier;
  /** [a probe cached for one minute] Operator reachability. */
  readonly probe?: OperatorProbe;
  /** [() => new Date()] */
  readonly now?: () => Date;
  /** [10] How many receipts the page lists. */
  readonly receiptsLimit?: number;
}

/** Settings whose value is never shown (passwords, keys, secrets); see also {@link isMaskedSetting}. */
export const MASKED_SETTINGS: ReadonlySet<string> = new Set(['store.postgresUrl', 'psc.clientSecret', 'directory.fhir.apiKey']);

/** True for the settings above and any setting whose name says it holds a secret (secret, password, passphrase, token, API key). */
export function isMaskedSetting(key: string): boolean {
  return MASKED_SETTINGS.has(key) || /(secret|password|passphrase|token|apikey)/i.test(key.split('.').pop() ?? '');
}

/** One row of the effective configuration. */
export interface SettingView {
  readonly key: string;
  /** The value in service as text; `null` when absent (then the documented default applies). */
  readonly value: string | null;
  readonly masked: boolean;
  /** `file`, `env` (with the variable's name), `cli` or `default`. */
  readonly source: SettingSource;
  readonly env?: string;
  /** Taken into account by a reload (false: a restart is needed). */
  readonly reloadable: boolean;
  /** The documented default, when the value is absent. */
  readonly default: string;
}

/** One recent receipt, as the page shows it: no recipient address, no content. */
export interface ReceiptView {
  readonly receivedAt: string;
  readonly type: string;
  readonly state: string;
  readonly status: string;
  readonly outboundId: string;
  readonly mailbox: string;
  readonly explanation: string;
}

/** The whole status (GET /api/admin/status). */
export interface AdminStatus {
  readonly generatedAt: string;
  readonly version: string;
  readonly configuration: {
    readonly file: string | null;
    readonly embedded: boolean;
    /** Version of the configuration in service (1 at start-up, +1 per applied reload). */
    readonly version: number;
    readonly appliedAt: string;
    readonly settings: readonly SettingView[];
  };
  readonly lastReload: (ReloadReport & { readonly triggerLabel: string }) | null;
  readonly directory: {
    readonly entries: number;
    /** `file`, `url`, `import`, `sample`... (where the index came from). */
    readonly sourceKind: string;
    readonly source: string | null;
    /** ISO time of the last successful load; null for the bundled sample. */
    readonly loadedAt: string | null;
    readonly ageSeconds: number | null;
    readonly lastRefresh: { readonly ok: boolean; readonly code?: string; readonly message?: string } | null;
  };
  readonly trustSpace: { readonly domains: number; readonly generatedAt: string | null; readonly source: string };
  readonly operator: OperatorStatus;
  readonly queue: {
    readonly total: number;
    readonly byStatus: readonly { readonly status: OutboundStatus; readonly label: string; readonly count: number }[];
    /** Why the `queued` messages already tried wait, by the code of their stored error (largest first). */
    readonly waiting: readonly { readonly code: string; readonly label: string; readonly count: number }[];
  };
  readonly receipts: { readonly available: boolean; readonly items: readonly ReceiptView[]; readonly message: string | null };
}

/** What a waiting message is waiting for, by the code of its stored error (the others: a new try is planned). */
const WAITING_LABELS_FR: Readonly<Record<string, string>> = {
  RECONCILING: 'en vérification auprès de l\'opérateur (envoi interrompu)',
  PSC_SESSION_REQUIRED: 'en attente de la connexion Pro Santé Connect de l\'auteur',
};

/** The value at a dotted path of the configuration. */
function valueAt(config: Config, key: string): unknown {
  let node: unknown = config;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** The effective configuration, secrets masked. */
export function settingsView(config: Config, sources: Readonly<Record<string, SettingSource>>): SettingView[] {
  return CONFIG_REFERENCE.map((e) => {
    const raw = e.key === '(fichier)' ? config.origin.file : valueAt(config, e.key);
    const masked = isMaskedSetting(e.key);
    const value = raw === undefined || raw === null ? null : masked ? 'défini (masqué)' : typeof raw === 'string' ? raw : JSON.stringify(raw);
    return {
      key: e.key,
      value,
      masked: masked && value !== null,
      source: sources[e.key] ?? 'default',
      ...(e.env ? { env: e.env } : {}),
      reloadable: e.key !== '(fichier)' && isReloadable(e.key),
      default: e.default,
    };
  });
}

type MaybeReceipts = { listRecentReceipts?: (limit: number) => Promise<readonly Record<string, unknown>[]> };

/** The last receipts, when the store has them (receipts are another part of the pipeline). */
async function recentReceipts(store: Store, limit: number): Promise<AdminStatus['receipts']> {
  const list = (store as unknown as MaybeReceipts).listRecentReceipts;
  if (typeof list !== 'function') return { available: false, items: [], message: 'aucun accusé reçu' };
  const rows = await list.call(store, limit);
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const items = rows.map((r) => ({
    receivedAt: typeof r.receivedAt === 'number' ? new Date(r.receivedAt).toISOString() : text(r.receivedAt),
    type: text(r.type),
    state: text(r.state),
    status: text(r.status),
    outboundId: text(r.outboundId),
    mailbox: text(r.mailbox),
    explanation: text(r.explanation),
  }));
  return { available: true, items, message: items.length === 0 ? 'aucun accusé reçu' : null };
}

/** Collects the status (each part independent: a failing part does not hide the others). */
export async function collectStatus(opts: { store: Store; tenant: TenantConfig; probe: OperatorProbe; now: () => Date; receiptsLimit: number }): Promise<AdminStatus> {
  const at = opts.now();
  const state = opts.tenant.current();
  const { config } = state;
  const dir = state.directory;
  const service = dir instanceof DirectoryService ? dir : undefined;
  const loadedAt = service?.meta.loadedAt ? service.meta.loadedAt : null;
  const last = opts.tenant.lastReload();
  const [operator, counts, waitingCounts, receipts] = await Promise.all([
    opts.probe.status(config),
    opts.store.outboundCounts(),
    opts.store.outboundWaitingCounts(),
    recentReceipts(opts.store, opts.receiptsLimit),
  ]);
  const byStatus = OUTBOUND_STATUSES.filter((s) => s !== 'submitted').map((s) => ({ status: s, label: STATUS_LABELS_FR[s], count: counts[s] ?? 0 }));
  const lastRefresh = service?.lastRefresh;
  return {
    generatedAt: at.toISOString(),
    version: packageVersion(),
    configuration: {
      file: config.origin.file ?? null,
      embedded: config.origin.embedded,
      version: state.version,
      appliedAt: state.appliedAt,
      settings: settingsView(config, state.sources),
    },
    lastReload: last ? { ...last, triggerLabel: RELOAD_TRIGGERS[last.trigger] } : null,
    directory: {
      entries: dir.size,
      sourceKind: service?.meta.sourceKind ?? 'memory',
      source: service?.meta.source ?? null,
      loadedAt,
      ageSeconds: loadedAt ? Math.max(0, Math.round((at.getTime() - Date.parse(loadedAt)) / 1000)) : null,
      lastRefresh: lastRefresh ? (lastRefresh.ok ? { ok: true } : { ok: false, code: lastRefresh.code, message: lastRefresh.message }) : null,
    },
    trustSpace: {
      domains: state.trustSpace.size,
      generatedAt: state.trustSpace.generatedAt ?? null,
      source: config.trustSpace.listeBlanchePath ?? 'instantané intégré',
    },
    operator,
    queue: {
      total: byStatus.reduce((n, s) => n + s.count, 0),
      byStatus,
      waiting: Object.entries(waitingCounts)
        .map(([code, count]) => ({ code, label: WAITING_LABELS_FR[code] ?? 'nouvel essai prévu (erreur temporaire)', count }))
        .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    },
    receipts,
  };
}

const HTML_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
} as const;

/** Registers the status routes (a Fastify plugin). */
export function adminStatusRoutes(opts: AdminStatusOptions) {
  const probe = opts.probe ?? createOperatorProbe();
  const now = opts.now ?? (() => new Date());
  const receiptsLimit = opts.receiptsLimit ?? 10;
  const admins = () => opts.tenant.current().config.admin.users;

  function enabled(): void {
    if (admins().length === 0 || !opts.verify) throw new ApiError('ADMIN_DISABLED');
  }
  async function requireAdmin(request: FastifyRequest): Promise<string> {
    enabled();
    const who = await bearerIdentity(request, opts.verify);
    if (!isAdmin(admins(), who)) throw new ApiError('ADMIN_FORBIDDEN');
    return who.oid;
  }
  const status = () => collectStatus({ store: opts.store, tenant: opts.tenant, probe, now, receiptsLimit });

  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get('/admin/status.html', async (_request, reply) => {
      enabled();
      return reply.type('text/html; charset=utf-8').headers(HTML_HEADERS).send(ADMIN_STATUS_PAGE);
    });

    app.get('/api/admin/status', async (request, reply) => {
      await requireAdmin(request);
      return reply.header('cache-control', 'no-store').send(await status());
    });

    app.get('/api/admin/status/view', async (request, reply) => {
      await requireAdmin(request);
      return reply.type('text/html; charset=utf-8').headers(HTML_HEADERS).send(renderStatusHtml(await status()));
    });

    app.post('/api/admin/config/reload', async (request, reply) => {
      await requireAdmin(request);
      const report = await opts.tenant.reload('api');
      try {
        await opts.store.appendAudit({
          actor: 'admin',
          action: 'config_reload',
          outcome: report.applied ? 'ok' : 'rejected',
          ...(report.applied ? {} : { code: 'CONFIG_RELOAD_FAILED' }),
          details: { version: report.version, changed: report.changed.length, restartRequired: report.restartRequired.length, errors: report.errors.length },
        });
      } catch (err) {
        request.log.error({ err: { message: (err as Error).message } }, 'audit_failed');
      }
      if (!report.applied) {
        throw new ApiError('CONFIG_RELOAD_FAILED', undefined, { problems: report.errors });
      }
      return reply.header('cache-control', 'no-store').send({
        applied: true,
        version: report.version,
        changed: report.changed,
        restartRequired: report.restartRequired,
        warnings: report.warnings,
      });
    });
  };
}
