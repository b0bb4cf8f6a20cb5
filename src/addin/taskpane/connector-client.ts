// Runtime: browser (task pane). HTTP client of the MSSanté connector, which serves the task pane itself: relative
// URLs, same origin. Classification and policy come from the connector (one configuration: liste blanche, gateways,
// directory); detection and evaluateSend run locally with the core.
import type { Classification, GatewayPattern, Policy } from '../../core';

/** The connector's answer to `GET /api/policy`. */
export interface PolicyInfo {
  readonly policy: Policy;
  readonly gateways: readonly GatewayPattern[];
  readonly internalDomains: readonly string[];
}

/** The connector accepts at most this many addresses per `POST /api/recipients/classify`. */
export const CLASSIFY_BATCH_MAX = 500;

export const CONNECTOR_ERROR_CODES = [
  'CONNECTOR_UNREACHABLE', // network error, timeout, or a reply that is not the connector's JSON
  'CONNECTOR_REJECTED', // the connector answered with an error body {error:{code,message}}; `serverCode` holds its code
] as const;
export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];

/** A failed call to the connector. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly status?: number,
    readonly serverCode?: string,
  ) {
    super(message);
  }
}

export interface ConnectorClient {
  /** Classifies addresses, in order; splits into batches of CLASSIFY_BATCH_MAX. */
  classify(addresses: readonly string[]): Promise<Classification[]>;
  getPolicy(): Promise<PolicyInfo>;
}

export interface ConnectorClientOptions {
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Prefix of the API URLs. Default `''` (same origin as the task pane). */
  readonly baseUrl?: string;
  /** Per-request timeout in ms. Default 10 000. */
  readonly timeoutMs?: number;
}

/** One JSON call to the connector; rejects with ConnectorError. */
export type JsonCall = <T>(path: string, init: RequestInit) => Promise<T>;

/**
 * The one way the task pane calls the connector: JSON in and out, a timeout, and errors mapped to ConnectorError
 * (the connector's `{error:{code,message}}` body keeps its code as `serverCode`).
 */
export function createJsonCall(options: ConnectorClientOptions = {}): JsonCall {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const base = options.baseUrl ?? '';
  const timeoutMs = options.timeoutMs ?? 10_000;

  return async function call<T>(path: string, init: RequestInit): Promise<T> {
    const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
    const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : undefined;
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { ...init, signal: controller?.signal });
    } catch (err) {
      throw new ConnectorError('CONNECTOR_UNREACHABLE', `${path}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    if (res.status === 204) return undefined as T; // No Content (e.g. DELETE)
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new ConnectorError('CONNECTOR_UNREACHABLE', `${path}: réponse illisible (HTTP ${res.status})`, res.status);
    }
    if (!res.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ConnectorError(
        'CONNECTOR_REJECTED',
        `${path}: ${error?.message ?? `HTTP ${res.status}`}`,
        res.status,
        error?.code ?? `HTTP_${res.status}`,
      );
    }
    return body as T;
  };
}

/** Creates the connector client. */
export function createConnectorClient(options: ConnectorClientOptions = {}): ConnectorClient {
  const call = createJsonCall(options);
  return {
    async classify(addresses) {
      const out: Classification[] = [];
      for (let i = 0; i < addresses.length; i += CLASSIFY_BATCH_MAX) {
        const batch = addresses.slice(i, i + CLASSIFY_BATCH_MAX);
        const { results } = await call<{ results: Classification[] }>('/api/recipients/classify', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ addresses: batch }),
        });
        if (!Array.isArray(results) || results.length !== batch.length) {
          throw new ConnectorError('CONNECTOR_UNREACHABLE', '/api/recipients/classify: réponse incomplète');
        }
        out.push(...results);
      }
      return out;
    },
    getPolicy: () => call<PolicyInfo>('/api/policy', { method: 'GET', headers: { accept: 'application/json' } }),
  };
}

/** One piece of evidence for a suggestion (core `Evidence`), with its French sentence. */
export interface SuggestionEvidence {
  readonly code: string;
  readonly message: string;
}

/** One "vous vouliez dire" candidate from `POST /api/directory/suggest`. */
export interface Suggestion {
  readonly address: string;
  /** 0–1. */
  readonly confidence: number;
  readonly evidence: readonly SuggestionEvidence[];
  /** The directory record (extraction columns), when known. */
  readonly record?: Readonly<Record<string, string>>;
}

/** One page of `GET /api/directory/search`. */
export interface DirectorySearchPage {
  readonly total: number;
  readonly totalIsExact: boolean;
  readonly page: number;
  readonly pageSize: number;
  /** Directory records (extraction columns: `address`, `type`, `name`, `profession`, `structure`...). */
  readonly results: readonly Readonly<Record<string, string>>[];
}

/** The directory API of the connector (src/connector/directory-routes.ts). */
export interface DirectoryClient {
  suggest(address: string, displayName?: string): Promise<Suggestion[]>;
  /** `q` of at least 2 characters (DIRECTORY_QUERY_TOO_SHORT otherwise). */
  search(q: string, page?: number, pageSize?: number): Promise<DirectorySearchPage>;
}

/** Creates the directory client. */
export function createDirectoryClient(options: ConnectorClientOptions = {}): DirectoryClient {
  const call = createJsonCall(options);
  return {
    async suggest(address, displayName) {
      const { candidates } = await call<{ candidates: Suggestion[] }>('/api/directory/suggest', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(displayName && displayName !== address ? { address, displayName: displayName.slice(0, 300) } : { address }),
      });
      return Array.isArray(candidates) ? candidates : [];
    },
    search: (q, page = 1, pageSize = 10) =>
      call<DirectorySearchPage>(`/api/directory/search?${new URLSearchParams({ q, page: String(page), pageSize: String(pageSize) }).toString()}`, {
        method: 'GET',
        headers: { accept: 'application/json' },
      }),
  };
}
