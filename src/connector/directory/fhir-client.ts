// Runtime: Node (connector). Client of the Annuaire Santé FHIR API v2 (MSSANTE.md §4.a) for addresses the local
// index does not know, and the only source when no extraction is configured. `mailbox-mss:exact` on Practitioner,
// Organization then PractitionerRole (no multi-type search on v2: three requests, stopping at the first hit);
// header ESANTE-API-KEY (never logged); 17 requests/s per application respected by a token bucket; answers
// cached with a TTL (misses too); 429 retried after Retry-After; timeouts and errors are values, not throws.

import { MAILBOX_TYPES, normaliseAddress, type MailboxType } from '../../core';
import type { DirectoryRecord } from '../../core';

/** Default base URL (v2). */
export const FHIR_DEFAULT_BASE_URL = 'https://gateway.api.esante.gouv.fr/fhir/v2';
/** ANS quota: 17 calls per second per application. */
export const FHIR_RATE_PER_SECOND = 17;

const METADATA_URL = 'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata';
const EMAIL_TYPE_URL = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-contact-point-email-type';

/** Options of {@link createFhirClient}. */
export interface FhirClientOptions {
  /** Default {@link FHIR_DEFAULT_BASE_URL}. */
  readonly baseUrl?: string;
  readonly apiKey: string;
  /** Default globalThis.fetch. */
  readonly fetch?: typeof fetch;
  /** Milliseconds clock (default Date.now). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Per-request timeout (default 10 s; the gateway's own is 30 s). */
  readonly timeoutMs?: number;
  /** Cache lifetime of an answer (default 24 h). */
  readonly cacheTtlMs?: number;
  /** Requests per second (default 17). */
  readonly ratePerSecond?: number;
  /** Attempts after a 429 (default 2). */
  readonly maxRetries?: number;
  /** Ids and codes only. */
  readonly log?: (event: string, fields: Record<string, string | number>) => void;
}

/** The answer for one address. */
export type FhirLookup =
  | { readonly status: 'found'; readonly record: DirectoryRecord; readonly resourceType: string; readonly resourceId?: string }
  | { readonly status: 'not-found' }
  | { readonly status: 'error'; readonly code: 'FHIR_TIMEOUT' | 'FHIR_QUOTA' | 'FHIR_HTTP' | 'FHIR_NETWORK' | 'FHIR_BAD_RESPONSE'; readonly httpStatus?: number; readonly message: string };

/** The client. */
export interface FhirClient {
  /** Looks an address up (normalised first); never throws. */
  lookup(address: string): Promise<FhirLookup>;
  /** Requests sent so far (for tests and health). */
  readonly requests: number;
}

/** Token bucket: `take()` resolves when a request may be sent. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  take(): Promise<void> {
    const next = this.queue.then(async () => {
      for (;;) {
        const t = this.now();
        this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.rate) / 1000);
        this.last = t;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await this.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.rate));
      }
    });
    this.queue = next;
    return next;
  }
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Mailbox type from `as-ext-mailbox-mss-metadata` (parsed defensively: any shape, unknown codes ignored). */
export function mailboxMetadata(telecom: Json): { type?: MailboxType; service?: string; description?: string } {
  const out: { type?: MailboxType; service?: string; description?: string } = {};
  for (const ext of arr(telecom.extension)) {
    if (!isObj(ext) || ext.url !== METADATA_URL) continue;
    for (const sub of arr(ext.extension)) {
      if (!isObj(sub)) continue;
      if (sub.url === 'type') {
        const cc = sub.valueCodeableConcept;
        const coding = isObj(cc) ? arr(cc.coding) : isObj(sub.valueCoding) ? [sub.valueCoding] : [];
        for (const c of coding) {
          const code = isObj(c) ? str(c.code)?.toUpperCase() : undefined;
          if (code && (MAILBOX_TYPES as readonly string[]).includes(code)) out.type = code as MailboxType;
        }
      } else if (sub.url === 'service' && str(sub.valueString)) out.service = str(sub.valueString);
      else if (sub.url === 'description' && str(sub.valueString)) out.description = str(sub.valueString);
    }
  }
  return out;
}

function isMssTelecom(t: Json): boolean {
  if (arr(t.extension).some((e) => isObj(e) && e.url === METADATA_URL)) return true;
  return arr(t.extension).some((e) => isObj(e) && e.url === EMAIL_TYPE_URL && isObj(e.valueCoding) && e.valueCoding.code === 'MSSANTE');
}

/** Record for `address` from one resource, or undefined when it carries no such MSSanté mailbox. */
export function recordFromResource(resource: unknown, address: string): DirectoryRecord | undefined {
  if (!isObj(resource)) return undefined;
  const telecom = arr(resource.telecom).find(
    (t): t is Json => isObj(t) && (t.system === undefined || t.system === 'email') && typeof t.value === 'string' && normaliseAddress(t.value) === address,
  );
  if (!telecom || !isMssTelecom(telecom)) return undefined;
  const meta = mailboxMetadata(telecom);
  const rt = resource.resourceType;
  const type: MailboxType = meta.type ?? (rt === 'Organization' ? 'ORG' : 'PER');
  const out: Record<string, string> = { address, type };
  if (rt === 'Practitioner') {
    const name = arr(resource.name).find(isObj);
    if (name) {
      const given = arr(name.given).filter((g): g is string => typeof g === 'string').join(' ');
      const family = str(name.family);
      if (given) out.firstName = given;
      if (family) out.lastName = family;
      const full = [given, family].filter(Boolean).join(' ');
      if (full) out.name = full;
    }
    for (const id of arr(resource.identifier)) {
      if (isObj(id) && id.system === 'urn:oid:1.2.250.1.71.4.2.1' && str(id.value)) out.nationalId = str(id.value)!;
    }
    for (const q of arr(resource.qualification)) {
      const coding = isObj(q) && isObj(q.code) ? arr(q.code.coding) : [];
      for (const c of coding) {
        if (isObj(c) && typeof c.system === 'string' && c.system.includes('TRE_G15-ProfessionSante') && str(c.code)) {
          out.professionCode = str(c.code)!;
          if (str(c.display)) out.profession = str(c.display)!;
        }
      }
    }
  } else if (rt === 'Organization') {
    const name = str(resource.name);
    if (name) out.structure = name;
    for (const id of arr(resource.identifier)) {
      if (isObj(id) && id.system === 'urn:oid:1.2.250.1.71.4.2.2' && str(id.value)) out.structureId = str(id.value)!;
    }
    out.name = meta.service ?? meta.description ?? name ?? address;
  }
  if (meta.service) out.service = meta.service;
  return out as unknown as DirectoryRecord;
}

/** The resources of a search answer (a Bundle searchset) or of a single resource. */
export function resourcesOf(body: unknown): Json[] {
  if (!isObj(body)) return [];
  if (body.resourceType === 'Bundle') return arr(body.entry).map((e) => (isObj(e) ? e.resource : undefined)).filter(isObj);
  return [body];
}

/** Creates a client. */
export function createFhirClient(opts: FhirClientOptions): FhirClient {
  const base = (opts.baseUrl ?? FHIR_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? (() => Date.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ttl = opts.cacheTtlMs ?? 24 * 3600_000;
  const maxRetries = opts.maxRetries ?? 2;
  const bucket = new TokenBucket(opts.ratePerSecond ?? FHIR_RATE_PER_SECOND, opts.ratePerSecond ?? FHIR_RATE_PER_SECOND, now, sleep);
  const cache = new Map<string, { at: number; value: FhirLookup }>();
  const log = opts.log ?? (() => undefined);
  let requests = 0;

  async function search(resourceType: string, address: string): Promise<{ ok: true; body: unknown } | { ok: false; error: FhirLookup }> {
    for (let attempt = 0; ; attempt++) {
      await bucket.take();
      requests++;
      const url = `${base}/${resourceType}?mailbox-mss:exact=${encodeURIComponent(address)}`;
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), timeoutMs);
      let res: Response;
      try {
        res = await doFetch(url, { headers: { 'ESANTE-API-KEY': opts.apiKey, accept: 'application/fhir+json' }, signal: ctrl.signal });
      } catch (e) {
        clearTimeout(timer);
        const timeout = ctrl.signal.aborted;
        log('fhir_error', { resourceType, code: timeout ? 'FHIR_TIMEOUT' : 'FHIR_NETWORK' });
        return {
          ok: false,
          error: timeout
            ? { status: 'error', code: 'FHIR_TIMEOUT', message: `L'Annuaire Santé n'a pas répondu en ${Math.round(timeoutMs / 1000)} s.` }
            : { status: 'error', code: 'FHIR_NETWORK', message: `Annuaire Santé injoignable (${(e as Error).message}).` },
        };
      }
      try {
        if (res.status === 429) {
          const retryAfter = Number(res.headers.get('retry-after'));
          const wait = Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter * 1000, 30_000) : 1000;
          log('fhir_quota', { resourceType, attempt, waitMs: wait });
          await res.body?.cancel();
          if (attempt >= maxRetries) return { ok: false, error: { status: 'error', code: 'FHIR_QUOTA', httpStatus: 429, message: 'Quota de l\'Annuaire Santé dépassé (17 appels par seconde) : réessayez dans un instant.' } };
          clearTimeout(timer);
          await sleep(wait);
          continue;
        }
        const text = await res.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        if (!res.ok) {
          const issue = isObj(body) && body.resourceType === 'OperationOutcome' ? arr(body.issue).find(isObj) : undefined;
          const detail = issue ? (str(issue.diagnostics) ?? (isObj(issue.details) ? str(issue.details.text) : undefined) ?? str(issue.code)) : undefined;
          log('fhir_error', { resourceType, code: 'FHIR_HTTP', httpStatus: res.status });
          return { ok: false, error: { status: 'error', code: 'FHIR_HTTP', httpStatus: res.status, message: `L'Annuaire Santé a répondu ${res.status}${detail ? ` : ${detail.slice(0, 200)}` : ''}.` } };
        }
        if (body === undefined) return { ok: false, error: { status: 'error', code: 'FHIR_BAD_RESPONSE', message: 'Réponse de l\'Annuaire Santé illisible (JSON attendu).' } };
        return { ok: true, body };
      } catch (e) {
        const timeout = ctrl.signal.aborted;
        return {
          ok: false,
          error: timeout
            ? { status: 'error', code: 'FHIR_TIMEOUT', message: `L'Annuaire Santé n'a pas répondu en ${Math.round(timeoutMs / 1000)} s.` }
            : { status: 'error', code: 'FHIR_NETWORK', message: `Réponse de l'Annuaire Santé interrompue (${(e as Error).message}).` },
        };
      } finally {
        clearTimeout(timer);
      }
    }
  }

  async function lookupUncached(address: string): Promise<FhirLookup> {
    for (const rt of ['Practitioner', 'Organization', 'PractitionerRole']) {
      const r = await search(rt, address);
      if (!r.ok) return r.error;
      for (const resource of resourcesOf(r.body)) {
        const record = recordFromResource(resource, address);
        if (record) return { status: 'found', record, resourceType: String(resource.resourceType), ...(str(resource.id) ? { resourceId: str(resource.id)! } : {}) };
      }
    }
    return { status: 'not-found' };
  }

  return {
    get requests() {
      return requests;
    },
    async lookup(input: string): Promise<FhirLookup> {
      const address = normaliseAddress(input);
      if (address === undefined) return { status: 'not-found' };
      const hit = cache.get(address);
      if (hit && now() - hit.at < ttl) return hit.value;
      const value = await lookupUncached(address);
      // errors are not cached: the next call retries
      if (value.status !== 'error') cache.set(address, { at: now(), value });
      return value;
    },
  };
}
