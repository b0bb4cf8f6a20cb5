// Runtime: Node (connector). Scheduled downloads of the IGC-Santé CRLs into the CrlStore (ECO.1.1.6, SC.MSS/CONF.22):
// - sources: the configured URLs (outbound.crlUrls) plus the http(s) CRL Distribution Points (RFC 5280 §4.2.1.13) read
//   from the trust anchors themselves (an intermediate's CDP names its root's CRL); the intermediate's own CRL URL
//   is in the certificates it issues, so give it in outbound.crlUrls;
// - a first run at start(), then every `intervalMs` (6 h) with ±`jitter` (10 %) so that instances do not all hit the
//   IGC-Santé publication point at the same second; after a failed download, again after `retryMs` (15 min); never
//   later than the earliest nextUpdate of the CRLs held;
// - a failed download keeps the last valid CRL (CrlStore.refresh; CONF.22);
// - alerts in the logs, codes and CA names only: `crl.expired` (warn) while a CRL in use is past its nextUpdate (the
//   TLS check then refuses with TLS_CRL_EXPIRED unless staleCrl is 'accept'), `crl.missing` (warn) for an anchor with
//   no CRL at all (TLS_CRL_UNAVAILABLE). Timers are unref'd: they never keep the process alive.

import * as pkijs from 'pkijs';
import { cnOf, splitPemCertificates, type CrlStore } from './crl-store';
import { NOOP_LOGGER, type TransportLogger } from './logger';

/** Options of {@link createCrlScheduler}. Defaults in brackets. */
export interface CrlSchedulerOptions {
  readonly store: CrlStore;
  /** [none] CRL URLs to download (outbound.crlUrls). */
  readonly urls?: readonly string[];
  /** [none] PEM of the trust anchors: their http(s) CRL Distribution Points are added to `urls`. */
  readonly anchors?: string | Buffer;
  /** [21 600 000 = 6 h] Interval between two downloads, ms. */
  readonly intervalMs?: number;
  /** [900 000 = 15 min] Delay before the next run after a failed download, ms. */
  readonly retryMs?: number;
  /** [0.1] Random spread of each delay, as a fraction (0.1 ⇒ delay × [0.9, 1.1]). */
  readonly jitter?: number;
  /** [Date.now] Clock, ms. */
  readonly now?: () => number;
  /** [Math.random] */
  readonly random?: () => number;
  /** [none] Codes and CA names only. */
  readonly logger?: TransportLogger | false;
}

/** What one run did. */
export interface CrlRunReport {
  readonly downloaded: number;
  readonly failed: number;
  /** CNs of the issuers whose CRL in use is past its nextUpdate after the run. */
  readonly expired: readonly string[];
  /** CNs of the anchors without any CRL after the run. */
  readonly missing: readonly string[];
  /** Delay chosen before the next run, ms. */
  readonly nextInMs: number;
}

/** A started or stopped schedule. */
export interface CrlScheduler {
  /** The URLs downloaded at each run (configured, then the anchors' distribution points), without duplicates. */
  readonly urls: readonly string[];
  /** Runs now, then on schedule (idempotent). */
  start(): void;
  /** Stops the schedule (a run in flight finishes). */
  stop(): void;
  /** One run now (also used by start); concurrent calls share the run in flight. */
  runNow(): Promise<CrlRunReport>;
}

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const URI_NAME = 6; // GeneralName uniformResourceIdentifier [6]

/** The http(s) URLs of the CRL Distribution Points extension of each certificate of a PEM bundle (ldap:// skipped). */
export function crlDistributionPoints(pem: string | Buffer): string[] {
  const out: string[] = [];
  for (const x of splitPemCertificates(pem)) {
    const cert = pkijs.Certificate.fromBER(new Uint8Array(x.raw));
    const ext = cert.extensions?.find((e) => e.extnID === CRL_DISTRIBUTION_POINTS);
    const parsed = ext?.parsedValue as pkijs.CRLDistributionPoints | undefined;
    for (const dp of parsed?.distributionPoints ?? []) {
      const names = dp.distributionPoint;
      if (!Array.isArray(names)) continue;
      for (const n of names) {
        if (n instanceof pkijs.GeneralName && n.type === URI_NAME && typeof n.value === 'string' && /^https?:\/\//i.test(n.value)) out.push(n.value);
      }
    }
  }
  return out;
}

/** Builds the schedule (not started). */
export function createCrlScheduler(opts: CrlSchedulerOptions): CrlScheduler {
  const urls = [...new Set([...(opts.urls ?? []), ...(opts.anchors ? crlDistributionPoints(opts.anchors) : [])])];
  const intervalMs = opts.intervalMs ?? 6 * 3_600_000;
  const retryMs = opts.retryMs ?? 15 * 60_000;
  const jitter = Math.min(0.5, Math.max(0, opts.jitter ?? 0.1));
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const logger = opts.logger || NOOP_LOGGER;
  const anchorCns = opts.anchors ? splitPemCertificates(opts.anchors).map((c) => ({ subject: c.subject, cn: cnOf(c.subject) ?? '?' })) : [];
  if (!(intervalMs > 0) || !(retryMs > 0)) throw new Error('createCrlScheduler : intervalMs et retryMs doivent être des durées positives (ms).');

  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let inFlight: Promise<CrlRunReport> | undefined;

  const spread = (ms: number): number => Math.round(ms * (1 - jitter + 2 * jitter * random()));

  async function run(): Promise<CrlRunReport> {
    const results = urls.length > 0 ? await opts.store.refresh(urls) : [];
    const downloaded = results.filter((r) => r.result.accepted).length;
    const failed = results.filter((r) => !r.result.accepted && r.result.reason === 'download-failed').length;
    for (const r of results) {
      if (!r.result.accepted && r.result.reason !== 'download-failed' && r.result.reason !== 'not-newer') {
        logger.warn({ event: 'crl.rejected', reason: r.result.reason }, 'CRL téléchargée refusée : la dernière CRL valide est conservée');
      }
    }
    const at = now();
    const held = opts.store.list();
    const expired: string[] = [];
    let earliest = Infinity;
    for (const crl of held) {
      const next = crl.nextUpdate?.getTime();
      if (next === undefined) continue;
      if (next <= at) {
        const issuerCn = cnOf(crl.issuer) ?? '?';
        expired.push(issuerCn);
        logger.warn({ event: 'crl.expired', issuerCn, nextUpdate: crl.nextUpdate?.toISOString() }, 'CRL IGC-Santé expirée et non remplacée : les connexions à l\'opérateur seront refusées (TLS_CRL_EXPIRED). Vérifiez l\'accès aux CRL.');
      } else earliest = Math.min(earliest, next);
    }
    const missing = anchorCns.filter((a) => !held.some((c) => c.issuer === a.subject)).map((a) => a.cn);
    for (const issuerCn of missing) logger.warn({ event: 'crl.missing', issuerCn }, 'aucune CRL pour cette autorité IGC-Santé (TLS_CRL_UNAVAILABLE) : ajoutez son adresse dans outbound.crlUrls');
    const base = failed > 0 || expired.length > 0 || missing.length > 0 ? Math.min(retryMs, intervalMs) : intervalMs;
    // never sleep past the moment a CRL in use goes stale: fetch its successor then (at least a minute from now)
    const nextInMs = Math.min(spread(base), Number.isFinite(earliest) ? Math.max(60_000, earliest - at) : Infinity);
    logger.info({ event: 'crl.refresh', urls: urls.length, downloaded, failed, nextInS: Math.round(nextInMs / 1000) }, 'CRL IGC-Santé vérifiées');
    return { downloaded, failed, expired, missing, nextInMs };
  }

  function runNow(): Promise<CrlRunReport> {
    inFlight ??= run().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function schedule(ms: number): void {
    if (!started) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  }

  function tick(): void {
    timer = undefined;
    runNow().then(
      (report) => schedule(report.nextInMs),
      (err: unknown) => {
        logger.error({ event: 'crl.refresh_failed', message: (err as Error).message }, 'téléchargement des CRL interrompu');
        schedule(spread(retryMs));
      },
    );
  }

  return {
    urls,
    start() {
      if (started) return;
      started = true;
      if (urls.length === 0) logger.warn({ event: 'crl.no_source' }, 'aucune adresse de CRL (outbound.crlUrls, points de distribution des autorités) : pas de téléchargement');
      tick();
    },
    stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    runNow,
  };
}
