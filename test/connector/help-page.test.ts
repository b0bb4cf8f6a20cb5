// Runtime: Node (jest). The support page named by the manifest's <SupportUrl> is served, in French, and reflects
// the structure's policy.
import { buildTestApp } from '../helpers/connector';

describe('GET /aide.html', () => {
  it('serves a French help page describing the badges and the policy in force', async () => {
    const { app, close } = await buildTestApp({ policy: { healthDataToNonMssante: 'block' } });
    try {
      const res = await app.inject({ method: 'GET', url: '/aide.html' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('<html lang="fr">');
      expect(res.body).toContain('Non sécurisée');
      expect(res.body).toContain('<code>healthDataToNonMssante</code> : blocage');
      expect(res.body).toContain('<code>mixedRecipients</code> : avertissement');
    } finally {
      await close();
    }
  });
});
