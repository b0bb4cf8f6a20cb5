// Runtime: Node (jest). GET /.well-known/microsoft-officeaddins-allowed.json through app.inject() (OUTLOOK.md §1.7):
// on the add-in's own origin (the connector's public URL), listing the launch-event script the manifest names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestApp, REPO_ROOT, type TestApp } from '../helpers/connector';

let t: TestApp;
afterEach(async () => t?.close());

describe('/.well-known/microsoft-officeaddins-allowed.json', () => {
  it('lists <publicUrl>/launchevent.js, as JSON, not cached', async () => {
    t = await buildTestApp({ server: { publicUrl: 'https://mss.exemple.fr' } });
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/microsoft-officeaddins-allowed.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.json()).toEqual({ allowed: ['https://mss.exemple.fr/launchevent.js'] });
  });

  it('with the development defaults, allows exactly the JSRuntime.Url of manifest.xml', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/microsoft-officeaddins-allowed.json' });
    const manifest = readFileSync(join(REPO_ROOT, 'manifest.xml'), 'utf8');
    const jsRuntime = /<bt:Url id="JSRuntime.Url" DefaultValue="([^"]+)"/.exec(manifest)?.[1];
    expect(res.json()).toEqual({ allowed: [jsRuntime] });
  });

  it('other methods are refused with the JSON error body', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'POST', url: '/.well-known/microsoft-officeaddins-allowed.json', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
