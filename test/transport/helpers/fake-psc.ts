// Runtime: Node (jest). A small OpenID provider playing Pro Santé Connect on 127.0.0.1:0, for the CommonJS jest runtime
// (oidc-provider, used by the e2e stand-in, is ESM-only and cannot load here): discovery, JWKS, the authorization
// "wallet" (a code per authorization URL, PKCE S256 checked at the token endpoint), RS256 id_tokens, refresh tokens
// with `refresh_expires_in` (Keycloak, as PSC), and token revocation (RFC 7009). The token endpoint can also be served
// over HTTPS with a REQUIRED client certificate (RFC 8705 mutual TLS, the PSC "Espace de Confiance").

import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** Options of {@link startFakePsc}. */
export interface FakePscOptions {
  readonly clientId: string;
  /** Expected client secret (client_secret_basic); absent with `mtls`. */
  readonly secret?: string;
  /** Serve the token and revocation endpoints over HTTPS, requiring a client certificate signed by `ca`. */
  readonly mtls?: { readonly key: Buffer; readonly cert: Buffer; readonly ca: string };
  /** [0] Delay of a refresh answer, ms (lets concurrent callers pile up: single-flight tests). */
  readonly refreshDelayMs?: number;
}

export interface FakePsc {
  issuer: string;
  /** Registers the code the "wallet" would return for an authorization URL (as after a successful sign-in). */
  authorize(url: string, sub?: string): { code: string; state: string };
  refreshCalls: number;
  refuseRefresh: boolean;
  down: boolean;
  expiresIn: number;
  /** Lifetime of refresh tokens, s (`refresh_expires_in`, as Keycloak sends it); 0: not sent (a provider that does not say). */
  refreshExpiresIn: number;
  /** Every token issued (to check none leaks). */
  readonly issued: string[];
  /** Refresh tokens revoked through the revocation endpoint. */
  readonly revoked: string[];
  /** Subject DN of the client certificate presented at the token endpoint (mtls), per request. */
  readonly clientCertSubjects: string[];
  close(): Promise<void>;
}

/** Starts the provider. */
export async function startFakePsc(opts: FakePscOptions): Promise<FakePsc> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce: string; sub: string }>();
  const refreshTokens = new Set<string>();
  let n = 0;
  let backChannel = '';
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const op: FakePsc = {
    issuer: '',
    refreshCalls: 0,
    refuseRefresh: false,
    down: false,
    expiresIn: 300,
    refreshExpiresIn: 1800,
    issued: [],
    revoked: [],
    clientCertSubjects: [],
    authorize(url, sub = 'f:0000:899700218896') {
      const u = new URL(url);
      if (u.searchParams.get('code_challenge_method') !== 'S256') throw new Error('PKCE S256 attendu');
      const code = `code-${randomUUID()}`;
      codes.set(code, { challenge: u.searchParams.get('code_challenge') ?? '', nonce: u.searchParams.get('nonce') ?? '', sub });
      return { code, state: u.searchParams.get('state') ?? '' };
    },
    close: async () => undefined,
  };
  const tokens = (sub?: string, nonce?: string) => {
    n += 1;
    const access = `at-${n}-${randomUUID()}`;
    const refresh = `rt-${n}-${randomUUID()}`;
    refreshTokens.add(refresh);
    op.issued.push(access, refresh);
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: op.expiresIn, ...(op.refreshExpiresIn > 0 ? { refresh_expires_in: op.refreshExpiresIn } : {}), refresh_token: refresh };
    if (sub) {
      const now = Math.floor(Date.now() / 1000);
      const input = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64({ iss: op.issuer, sub, aud: opts.clientId, iat: now, exp: now + 300, nonce })}`;
      body.id_token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    }
    return body;
  };
  const readForm = async (req: IncomingMessage) => {
    let data = '';
    for await (const chunk of req) data += chunk;
    return new URLSearchParams(data);
  };
  const clientAuthenticated = (req: IncomingMessage, form: URLSearchParams): boolean => {
    if (opts.mtls) {
      const socket = req.socket as TLSSocket;
      if (!socket.authorized) return false;
      op.clientCertSubjects.push(String(socket.getPeerCertificate().subject?.CN ?? ''));
      return form.get('client_id') === opts.clientId;
    }
    return req.headers.authorization === `Basic ${Buffer.from(`${opts.clientId}:${opts.secret ?? ''}`).toString('base64')}`;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (op.down) return send(503, { error: 'temporarily_unavailable' });
    if (req.url === '/.well-known/openid-configuration') {
      return send(200, {
        issuer: op.issuer,
        authorization_endpoint: `${op.issuer}/auth`,
        token_endpoint: `${backChannel}/token`,
        revocation_endpoint: `${backChannel}/revoke`,
        jwks_uri: `${op.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: opts.mtls ? ['tls_client_auth'] : ['client_secret_basic'],
      });
    }
    if (req.url === '/jwks') return send(200, { keys: [jwk] });
    if ((req.url === '/token' || req.url === '/revoke') && req.method === 'POST') {
      const form = await readForm(req);
      if (!clientAuthenticated(req, form)) return send(401, { error: 'invalid_client' });
      if (req.url === '/revoke') {
        const t = form.get('token') ?? '';
        if (refreshTokens.delete(t)) op.revoked.push(t);
        return send(200);
      }
      if (form.get('grant_type') === 'authorization_code') {
        const c = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!c || createHash('sha256').update(verifier).digest('base64url') !== c.challenge) return send(400, { error: 'invalid_grant' });
        return send(200, tokens(c.sub, c.nonce));
      }
      if (form.get('grant_type') === 'refresh_token') {
        op.refreshCalls += 1;
        const rt = form.get('refresh_token') ?? '';
        if (op.refuseRefresh || !refreshTokens.delete(rt)) return send(400, { error: 'invalid_grant', error_description: 'Token is not active' });
        if (opts.refreshDelayMs) await new Promise((r) => setTimeout(r, opts.refreshDelayMs));
        return send(200, tokens());
      }
    }
    return send(404, { error: 'not_found' });
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  };
  const front: Server = createServer(listener);
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  op.issuer = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  let back: HttpsServer | undefined;
  if (opts.mtls) {
    back = createHttpsServer({ key: opts.mtls.key, cert: opts.mtls.cert, ca: opts.mtls.ca, requestCert: true, rejectUnauthorized: false }, listener);
    back.listen(0, '127.0.0.1');
    await once(back, 'listening');
    backChannel = `https://localhost:${(back.address() as AddressInfo).port}`;
  } else backChannel = op.issuer;
  op.close = async () => {
    front.closeAllConnections();
    await new Promise((r) => front.close(r));
    if (back) {
      back.closeAllConnections();
      await new Promise((r) => back?.close(r));
    }
  };
  return op;
}
