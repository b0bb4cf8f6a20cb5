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

/** Creates the connector client. */
export function createConnectorClient(options: ConnectorClientOptions = {}): ConnectorClient {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const base = options.baseUrl ?? '';
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function call<T>(path: string, init: RequestInit): Promise<T> {
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
  }

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
