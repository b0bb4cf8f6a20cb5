// Runtime: Outlook event runtime (ES2016, callbacks; no async/await). The handler's ONE batched call to the connector
// (POST /api/recipients/classify), the admin policy (GET /api/policy) cached in Office.context.roamingSettings (the
// JavaScript-only runtime has no localStorage; OUTLOOK.md §1.7), and the local fallback classifier.
//
// Where the connector is: the add-in is served BY the connector (launchevent.js, commands.html, taskpane.html), so
//  - in a browser runtime (Outlook on the web, new Outlook, Mac, the harness) commands.html runs at the connector's
//    origin: `location.origin` is exact, whatever the deployment;
//  - in classic Outlook's JavaScript-only runtime there is no `location` nor document.currentScript, and relative
//    URLs do not work (OUTLOOK.md §1.7 "absolute URLs only"): the origin is baked into the file at build time by
//    webpack's DefinePlugin (`__CONNECTOR_ORIGIN__`, from MSS_PUBLIC_URL, else https://localhost:<MSS_PORT|3000>),
//    the same origin the manifest's JSRuntime.Url points at (the manifest is per deployment anyway). Chosen over a
//    roamingSettings value because roaming settings are per user and written by the add-in itself: an attacker-free
//    but circular source (the handler would need the connector to learn where the connector is).
import {
  ADDRESS_KINDS,
  createClassifier,
  defaultTrustSpace,
  DEFAULT_POLICY,
  parsePolicy,
  POLICY_KEYS,
  type Classification,
  type GatewayPattern,
  type Policy,
} from '../../core';

declare const __CONNECTOR_ORIGIN__: string | undefined;

/** Time given to the connector before falling back (Outlook shows "taking longer" after 5 s; OUTLOOK.md §1.6). */
export const CONNECTOR_TIMEOUT_MS = 1500;
/** roamingSettings key of the cached policy (per user mailbox, 32 KB for all settings). */
export const POLICY_CACHE_KEY = 'mssPolicy';
/** Most addresses the connector classifies in one call (CLASSIFY_MAX_ITEMS of the connector). */
export const CLASSIFY_BATCH_MAX = 500;

/** What the handler knows of the admin policy: the policy and the classification settings. */
export interface PolicyInfo {
  readonly policy: Policy;
  readonly gateways: readonly GatewayPattern[];
  readonly internalDomains: readonly string[];
}

/** The Response subset used. */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
}
/** The fetch subset used (injectable: STYLE.md rule 6). */
export type FetchLike = (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; signal?: unknown; credentials?: string },
) => Promise<ResponseLike>;

/** Options of the connector calls, with their defaults. */
export interface ConnectorOptions {
  /** Default: the global `fetch` at call time (absent ⇒ the connector counts as unreachable). */
  readonly fetch?: FetchLike;
  /** Default: {@link connectorOrigin}. */
  readonly origin?: string;
  /** Default {@link CONNECTOR_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

/** The connector origin (see the file comment), or undefined when unknown. */
export function connectorOrigin(): string | undefined {
  try {
    if (typeof location !== 'undefined' && location && /^https?:$/.test(location.protocol)) return location.origin;
  } catch {
    // no location in the JavaScript-only runtime
  }
  return typeof __CONNECTOR_ORIGIN__ === 'string' && __CONNECTOR_ORIGIN__.length > 0 ? __CONNECTOR_ORIGIN__ : undefined;
}

function resolveFetch(opts: ConnectorOptions): FetchLike | undefined {
  if (opts.fetch) return opts.fetch;
  return typeof fetch === 'function' ? (fetch as unknown as FetchLike) : undefined;
}

/**
 * One JSON call with a timeout; `done(errorCode)` or `done(undefined, body)`, exactly once. Error codes (logged, never
 * shown): NO_ORIGIN, NO_FETCH, TIMEOUT, NETWORK, HTTP_<status>, BAD_JSON.
 */
export function callJson(
  opts: ConnectorOptions,
  path: string,
  init: { method: string; body?: unknown },
  done: (err: string | undefined, body?: unknown) => void,
): void {
  const origin = opts.origin !== undefined ? opts.origin : connectorOrigin();
  const fetchFn = resolveFetch(opts);
  if (!origin) {
    done('NO_ORIGIN');
    return;
  }
  if (!fetchFn) {
    done('NO_FETCH');
    return;
  }
  let settled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  const finish = function (err: string | undefined, body?: unknown) {
    if (settled) return;
    settled = true;
    if (timer !== undefined && typeof clearTimeout === 'function') clearTimeout(timer);
    done(err, body);
  };
  if (typeof setTimeout === 'function') {
    timer = setTimeout(function () {
      if (controller) controller.abort();
      finish('TIMEOUT');
    }, opts.timeoutMs !== undefined ? opts.timeoutMs : CONNECTOR_TIMEOUT_MS);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let promise: Promise<ResponseLike>;
  try {
    promise = fetchFn(origin + path, {
      method: init.method,
      headers,
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: controller ? controller.signal : undefined,
      credentials: 'omit',
    });
  } catch {
    finish('NETWORK');
    return;
  }
  promise.then(
    function (res) {
      if (!res || !res.ok) {
        finish('HTTP_' + String(res ? res.status : 0));
        return;
      }
      res.json().then(
        function (body) {
          finish(undefined, body);
        },
        function () {
          finish('BAD_JSON');
        },
      );
    },
    function () {
      finish('NETWORK');
    },
  );
}

function isClassification(value: unknown): value is Classification {
  if (!value || typeof value !== 'object') return false;
  const v = value as { kind?: unknown; reason?: unknown; input?: unknown };
  return (
    typeof v.kind === 'string' &&
    (ADDRESS_KINDS as readonly string[]).indexOf(v.kind) >= 0 &&
    typeof v.reason === 'string' &&
    typeof v.input === 'string'
  );
}

/**
 * POST /api/recipients/classify with every address in ONE call (at most {@link CLASSIFY_BATCH_MAX}); `done` gets the
 * classifications in order, or an error code (then the caller classifies locally).
 */
export function classifyRemote(
  opts: ConnectorOptions,
  addresses: readonly string[],
  done: (err: string | undefined, results?: Classification[]) => void,
): void {
  if (addresses.length === 0) {
    done(undefined, []);
    return;
  }
  const batch = addresses.slice(0, CLASSIFY_BATCH_MAX);
  callJson(opts, '/api/recipients/classify', { method: 'POST', body: { addresses: batch } }, function (err, body) {
    if (err) {
      done(err);
      return;
    }
    const results = body && typeof body === 'object' ? (body as { results?: unknown }).results : undefined;
    if (!Array.isArray(results) || results.length !== batch.length || !results.every(isClassification)) {
      done('BAD_ANSWER');
      return;
    }
    done(undefined, results as Classification[]);
  });
}

/** Validates a policy answer (GET /api/policy, or the roaming cache); undefined when unusable. */
export function toPolicyInfo(value: unknown): PolicyInfo | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { policy?: unknown; gateways?: unknown; internalDomains?: unknown };
  if (!v.policy || typeof v.policy !== 'object') return undefined;
  // Settings this add-in version does not know (a newer connector) are ignored, not fatal.
  const known: Record<string, unknown> = {};
  for (const key of POLICY_KEYS) {
    const mode = (v.policy as Record<string, unknown>)[key];
    if (mode !== undefined) known[key] = mode;
  }
  const parsed = parsePolicy(known);
  if (!parsed.ok) return undefined;
  const gateways = Array.isArray(v.gateways)
    ? (v.gateways as unknown[]).filter(function (g): g is GatewayPattern {
        return !!g && typeof g === 'object' && typeof (g as GatewayPattern).id === 'string' && typeof (g as GatewayPattern).domain === 'string';
      })
    : [];
  const internalDomains = Array.isArray(v.internalDomains)
    ? (v.internalDomains as unknown[]).filter(function (d): d is string {
        return typeof d === 'string';
      })
    : [];
  return { policy: parsed.policy, gateways, internalDomains };
}

/** GET /api/policy. */
export function fetchPolicy(opts: ConnectorOptions, done: (err: string | undefined, info?: PolicyInfo) => void): void {
  callJson(opts, '/api/policy', { method: 'GET' }, function (err, body) {
    if (err) {
      done(err);
      return;
    }
    const info = toPolicyInfo(body);
    if (info) done(undefined, info);
    else done('BAD_ANSWER');
  });
}

/** The roaming settings subset used. */
interface RoamingLike {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  saveAsync(callback?: (result: Office.AsyncResult<void>) => void): void;
}

function roaming(): RoamingLike | undefined {
  try {
    const r = Office.context.roamingSettings as unknown as RoamingLike | undefined;
    return r && typeof r.get === 'function' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The policy cached in roamingSettings by an earlier successful call, or the default policy. */
export function cachedPolicy(): { info: PolicyInfo; cached: boolean } {
  const r = roaming();
  let stored: unknown;
  try {
    stored = r ? r.get(POLICY_CACHE_KEY) : undefined;
  } catch {
    stored = undefined;
  }
  const info = toPolicyInfo(stored);
  return info ? { info, cached: true } : { info: { policy: DEFAULT_POLICY, gateways: [], internalDomains: [] }, cached: false };
}

/** Stores the policy in roamingSettings when it changed (saveAsync is a round trip: not on every send). */
export function cachePolicy(info: PolicyInfo): void {
  const r = roaming();
  if (!r) return;
  try {
    const value = { policy: info.policy, gateways: info.gateways, internalDomains: info.internalDomains };
    if (JSON.stringify(r.get(POLICY_CACHE_KEY)) === JSON.stringify(value)) return;
    r.set(POLICY_CACHE_KEY, value);
    r.saveAsync(function () {
      // best effort: a cache
    });
  } catch {
    // best effort: a cache
  }
}

let localClassifier: { key: string; classify: (input: string) => Classification } | undefined;

/**
 * The local classifier (bundled liste blanche + the cached gateways and internal domains, no directory), built once
 * per runtime and settings: parsing the liste blanche is the costly part, done only when the connector is not used.
 */
export function localClassify(info: PolicyInfo): (input: string) => Classification {
  const key = JSON.stringify([info.gateways, info.internalDomains]);
  if (!localClassifier || localClassifier.key !== key) {
    let classify: (input: string) => Classification;
    try {
      classify = createClassifier({
        trustSpace: defaultTrustSpace(),
        gateways: info.gateways.slice(),
        internalDomains: info.internalDomains.slice(),
      });
    } catch {
      // a bad cached gateway pattern must not break the check: the liste blanche alone
      classify = createClassifier({ trustSpace: defaultTrustSpace() });
    }
    localClassifier = { key, classify };
  }
  return localClassifier.classify;
}
