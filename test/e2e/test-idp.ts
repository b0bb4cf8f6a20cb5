// Runtime: Node (jest e2e helper). A tiny OpenID Connect stand-in for the harness sign-in: discovery, authorize (code
// + PKCE S256), token (an RS256 JWT signed with a key made for this run) and JWKS, served through Playwright routes on
// https://idp.test (nothing listens, nothing leaves the machine). The access token has the shape of a Microsoft Entra
// ID v2.0 token of tenant IDP_TENANT (iss https://login.microsoftonline.com/<tid>/v2.0, tid, oid, preferred_username),
// so the REAL connector validates it with its production verifier (src/connector/auth/entra.ts), given this run's
// key set through entra.jwksUrl (`jwks()`, served by the test on 127.0.0.1). `verify` checks a token the way a
// resource server does. TEST ONLY.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import type { BrowserContext, Route } from 'playwright-core';

export const IDP_ORIGIN = 'https://idp.test';
export const IDP_CLIENT_ID = 'mss-outlook-harness';
export const IDP_AUDIENCE = 'api://mss-connector-harness';
export const IDP_SCOPE = `${IDP_AUDIENCE}/Messages.Send`;
/** The tenant the tokens claim (a GUID, as entra.tenantId requires). */
export const IDP_TENANT = '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f';
/** The Entra v2.0 issuer of that tenant (what the connector's verifier expects). */
export const IDP_ISSUER = `https://login.microsoftonline.com/${IDP_TENANT}/v2.0`;
/** The signed-in test user. */
export const IDP_USER = { oid: '0b1c2d3e-0000-4000-8000-00000000a11c', preferredUsername: 'secretariat@m2a.paris' } as const;

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export interface TestIdp {
  /** Installs the routes on the context (after the hermetic catch-all: Playwright runs the newest route first). */
  install(context: BrowserContext): Promise<void>;
  /** Verifies a bearer token; returns its claims or throws. */
  verify(token: string): Record<string, unknown>;
  /** How many tokens were issued. */
  issued(): number;
  /** The public key set (JWKS) of this run. */
  jwks(): { keys: JsonWebKey[] };
}

export function createTestIdp(): TestIdp {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as JsonWebKey), kid: 'harness-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string; clientId: string }>();
  let issued = 0;

  function jwt(claims: Record<string, unknown>): string {
    const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: jwk.kid }));
    const body = b64url(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), privateKey);
    return `${head}.${body}.${b64url(signature)}`;
  }

  const json = (route: Route, status: number, body: unknown) =>
    route.fulfill({ status, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify(body) });

  async function handle(route: Route) {
    const req = route.request();
    const url = new URL(req.url());
    if (req.method() === 'OPTIONS') {
      return route.fulfill({ status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'GET, POST' } });
    }
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        return json(route, 200, {
          issuer: IDP_ORIGIN,
          authorization_endpoint: `${IDP_ORIGIN}/authorize`,
          token_endpoint: `${IDP_ORIGIN}/token`,
          jwks_uri: `${IDP_ORIGIN}/jwks`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
        });
      case '/jwks':
        return json(route, 200, { keys: [jwk] });
      case '/authorize': {
        const q = url.searchParams;
        const redirectUri = q.get('redirect_uri') ?? '';
        if (q.get('client_id') !== IDP_CLIENT_ID || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
          return route.fulfill({ status: 302, headers: { location: `${redirectUri}?error=invalid_request` } });
        }
        // The test user signs in without a form (the harness's identity provider).
        const code = randomBytes(16).toString('hex');
        codes.set(code, { challenge: q.get('code_challenge') ?? '', redirectUri, clientId: IDP_CLIENT_ID });
        return route.fulfill({ status: 302, headers: { location: `${redirectUri}?code=${code}&state=${encodeURIComponent(q.get('state') ?? '')}` } });
      }
      case '/token': {
        const form = new URLSearchParams(req.postData() ?? '');
        const entry = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!entry || entry.redirectUri !== form.get('redirect_uri') || b64url(createHash('sha256').update(verifier).digest()) !== entry.challenge) {
          return json(route, 400, { error: 'invalid_grant' });
        }
        issued++;
        const now = Math.floor(Date.now() / 1000);
        return json(route, 200, {
          token_type: 'Bearer',
          expires_in: 3600,
          access_token: jwt({
            iss: IDP_ISSUER,
            aud: IDP_AUDIENCE,
            sub: 'harness-user',
            tid: IDP_TENANT,
            oid: IDP_USER.oid,
            preferred_username: IDP_USER.preferredUsername,
            azp: IDP_CLIENT_ID,
            scp: 'Messages.Send',
            iat: now,
            exp: now + 3600,
          }),
        });
      }
      default:
        return json(route, 404, { error: 'not_found' });
    }
  }

  return {
    install: async (context) => {
      await context.route(`${IDP_ORIGIN}/**`, handle);
    },
    issued: () => issued,
    jwks: () => ({ keys: [jwk] }),
    verify(token) {
      const [head, body, signature] = token.split('.');
      if (!head || !body || !signature) throw new Error('jeton mal formé');
      const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
      if (header.alg !== 'RS256' || header.kid !== jwk.kid) throw new Error('algorithme ou clé inattendus');
      const ok = verifySignature('sha256', Buffer.from(`${head}.${body}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url'));
      if (!ok) throw new Error('signature invalide');
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (claims.iss !== IDP_ISSUER || claims.aud !== IDP_AUDIENCE) throw new Error('émetteur ou audience inattendus');
      if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) throw new Error('jeton expiré');
      return claims;
    },
  };
}
