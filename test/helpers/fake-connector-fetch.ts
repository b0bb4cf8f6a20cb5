// Runtime: Node (jest helper). A fetch that answers like the connector's POST /api/recipients/classify and
// GET /api/policy, in process, with the core's own classifier (bundled liste blanche + the demonstration gateway of
// the embedded configuration). Used where no connector process runs (handler unit tests, the vm test); the e2e tests
// also run the handlers against the real compiled connector.
import { createClassifier, defaultTrustSpace, DEFAULT_POLICY, type Classification, type GatewayPattern, type Policy } from '../../src/core';

export const DEMO_GATEWAY: GatewayPattern = { id: 'dsp-paris', label: 'Passerelle (exemple)', domain: 'dsp.paris', localTemplate: '{local}={domain}' };

export interface FakeConnectorCall {
  readonly url: string;
  readonly method: string;
  readonly body?: unknown;
}

export interface FakeConnectorOptions {
  policy?: Policy;
  /** 'down': every call rejects (network error); 'hang': never answers; 500: HTTP error; 'bad': malformed JSON body. */
  mode?: 'up' | 'down' | 'hang' | 500 | 'bad';
  /** Answer delay in ms (default 0). */
  delayMs?: number;
}

let classifier: ((input: string) => Classification) | undefined;
function classify(input: string): Classification {
  if (!classifier) classifier = createClassifier({ trustSpace: defaultTrustSpace(), gateways: [DEMO_GATEWAY], internalDomains: ['m2a.paris'] });
  return classifier(input);
}

/** A fake connector behind a fetch function; `calls` records every request. */
export function fakeConnectorFetch(opts: FakeConnectorOptions = {}) {
  const calls: FakeConnectorCall[] = [];
  const state = { ...opts };
  const fetchFn = (url: string, init: { method: string; body?: string }) => {
    const body = init.body !== undefined ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ url, method: init.method, ...(body !== undefined ? { body } : {}) });
    const mode = state.mode ?? 'up';
    if (mode === 'hang') return new Promise<never>(() => undefined);
    const answer = (): Promise<{ ok: boolean; status: number; json: () => Promise<unknown> }> => {
      if (mode === 'down') return Promise.reject(new TypeError('Failed to fetch'));
      if (mode === 500) return Promise.resolve({ ok: false, status: 500, json: () => Promise.resolve({ code: 'INTERNAL' }) });
      if (mode === 'bad') return Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve({ results: 'nope' }) });
      const path = new URL(url).pathname;
      if (path === '/api/recipients/classify') {
        const addresses = (body as { addresses: string[] }).addresses;
        return Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve({ results: addresses.map(classify) }) });
      }
      if (path === '/api/policy') {
        const policy = state.policy ?? DEFAULT_POLICY;
        return Promise.resolve({
          ok: true,
          status: 200,
          json: () => Promise.resolve({ policy, gateways: [DEMO_GATEWAY], internalDomains: ['m2a.paris'] }),
        });
      }
      return Promise.resolve({ ok: false, status: 404, json: () => Promise.resolve({ code: 'NOT_FOUND' }) });
    };
    const delay = state.delayMs ?? 0;
    return delay > 0 ? new Promise((r) => setTimeout(r, delay)).then(answer) : answer();
  };
  return { fetch: fetchFn, calls, state };
}
