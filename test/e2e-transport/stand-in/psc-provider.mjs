// Runtime: Node (ESM), started by .ci/operator-stand-in.sh. A local OIDC provider that plays Pro Santé Connect for the
// e2e transport tests: authorization code + PKCE, refresh tokens, RFC 7662 introspection (used by Dovecot's oauth2
// passdb) and RFC 7009 revocation (used by the tests to make a refresh token refused). Built on `oidc-provider`.
//
// The "wallet" step is automatic: the authorization request carries `login_hint=<mailbox>` and the interaction
// finishes at once with that account (the real PSC authenticates a person with e-CPS / CPS; the stand-in's `sub` is
// the mailbox address so that Dovecot's `username_attribute = sub` binds the token to the mailbox).
// Clients: `mss-connecteur` (access token 120 s) and `mss-connecteur-court` (access token 3 s, for expiry tests);
// `dovecot` (introspection only). Signing keys are generated in memory at start, never written.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PSC_PORT || 2080);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = ['https://connecteur.test/psc/callback'];
const SHORT_CLIENT = 'mss-connecteur-court';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'psc-test', alg: 'RS256', use: 'sig' };

const connector = (clientId) => ({
  client_id: clientId,
  client_secret: 'connecteur-secret-test',
  redirect_uris: redirectUris,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const provider = new Provider(issuer, {
  clients: [
    connector('mss-connecteur'),
    connector(SHORT_CLIENT),
    {
      client_id: 'dovecot',
      client_secret: process.env.PSC_DOVECOT_SECRET || 'dovecot-introspection-test',
      redirect_uris: [],
      grant_types: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  scopes: ['openid', 'offline_access'],
  claims: { openid: ['sub'], profile: ['preferred_username'] },
  ttl: {
    AccessToken: (_ctx, _token, client) => (client && client.clientId === SHORT_CLIENT ? 3 : 120),
    AuthorizationCode: 60,
    IdToken: 120,
    RefreshToken: 3600,
    Grant: 3600,
    Interaction: 300,
    Session: 3600,
  },
  // Pro Santé Connect (Keycloak) issues a refresh token without offline_access.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  rotateRefreshToken: () => true,
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, preferred_username: sub }) }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'application/json';
    ctx.body = out;
  },
});

// Grants per account, for the test-only end of session below.
const grantsOf = new Map();

// Test-only: end every PSC session of an account (as when the wallet session is closed): all its tokens,
// refresh tokens included, are revoked, so the next refresh gets invalid_grant.
provider.use(async (ctx, next) => {
  const match = /^\/test\/end-sessions\/([^/]+)$/.exec(ctx.path);
  if (!match || ctx.method !== 'POST') return next();
  const account = decodeURIComponent(match[1]);
  for (const grantId of grantsOf.get(account) ?? []) {
    await provider.RefreshToken.revokeByGrantId(grantId);
    await provider.AccessToken.revokeByGrantId(grantId);
  }
  grantsOf.delete(account);
  ctx.status = 204;
  return undefined;
});

// The automatic "wallet": finish login + consent with the login_hint account.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const login = details.params.login_hint;
  if (typeof login !== 'string' || login === '') {
    ctx.status = 400;
    ctx.body = 'login_hint requis';
    return undefined;
  }
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  grantsOf.set(login, [...(grantsOf.get(login) ?? []), grantId]);
  const returnTo = await provider.interactionResult(ctx.req, ctx.res,
    { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(returnTo);
  return undefined;
});

// Codes only in the log: never a token.
provider.on('server_error', (_ctx, err) => console.error('psc-provider server_error', err.name));
provider.listen(port, '127.0.0.1', () => console.log(`psc-provider prêt sur ${issuer}`));
