// Runtime: Node (jest). The task pane's HTTP client of the connector, with an injected fetch (the real connector is
// exercised end to end in test/e2e).
import { CLASSIFY_BATCH_MAX, ConnectorError, createConnectorClient } from '../../src/addin/taskpane/connector-client';

const json = (status: number, body: unknown) =>
  ({ ok: status >= 200 && status < 300, status, json: () => Promise.resolve(body) }) as unknown as Response;

describe('createConnectorClient', () => {
  it('classifies in order, in batches of 500, with relative URLs', async () => {
    const calls: { url: string; body: { addresses: string[] } }[] = [];
    const fetch = jest.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { addresses: string[] };
      calls.push({ url: String(url), body });
      return json(200, { results: body.addresses.map((a) => ({ input: a, kind: 'external', reason: 'NOT_IN_TRUST_SPACE' })) });
    });
    const client = createConnectorClient({ fetch });
    const addresses = Array.from({ length: CLASSIFY_BATCH_MAX + 3 }, (_, i) => `p${i}@x.fr`);
    const results = await client.classify(addresses);
    expect(calls.map((c) => [c.url, c.body.addresses.length])).toEqual([
      ['/api/recipients/classify', 500],
      ['/api/recipients/classify', 3],
    ]);
    expect(results.map((r) => r.input)).toEqual(addresses);
  });

  it('network failure → CONNECTOR_UNREACHABLE', async () => {
    const client = createConnectorClient({ fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(client.getPolicy()).rejects.toMatchObject({ name: 'ConnectorError', code: 'CONNECTOR_UNREACHABLE' });
  });

  it('error body → CONNECTOR_REJECTED with the connector code', async () => {
    const client = createConnectorClient({ fetch: async () => json(400, { error: { code: 'BATCH_TOO_LARGE', message: 'Trop d’adresses' } }) });
    const err = await client.classify(['a@b.fr']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: 'CONNECTOR_REJECTED', status: 400, serverCode: 'BATCH_TOO_LARGE' });
  });

  it('non-JSON reply (proxy page) and short answers → CONNECTOR_UNREACHABLE', async () => {
    const html = { ok: false, status: 502, json: () => Promise.reject(new SyntaxError('Unexpected token <')) } as unknown as Response;
    await expect(createConnectorClient({ fetch: async () => html }).getPolicy()).rejects.toMatchObject({ code: 'CONNECTOR_UNREACHABLE', status: 502 });
    await expect(createConnectorClient({ fetch: async () => json(200, { results: [] }) }).classify(['a@b.fr'])).rejects.toMatchObject({
      code: 'CONNECTOR_UNREACHABLE',
    });
  });

  it('times out', async () => {
    const fetch = (_u: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    await expect(createConnectorClient({ fetch, timeoutMs: 10 }).getPolicy()).rejects.toMatchObject({ code: 'CONNECTOR_UNREACHABLE' });
  });
});
