// Runtime: Node (connector). The Pro Santé Connect (OIDC) client of the connector, on openid-client (v5: the CommonJS
// line of the same library; v6 is ESM-only and this project's Node build and jest run CommonJS).
// - Authorization code + PKCE S256 (RFC 7636), state and nonce, started from the add-in through the Office dialog.
// - Tokens in MEMORY ONLY (SC.MSS/CONF.28: the PSC access token is never persisted), keyed by the connector's user id.
// - The access token is refreshed before it expires (`refreshMarginMs`) and on demand when the operator refused it;
//   one refresh at a time per user. PSC access tokens live 4-5 minutes.
// - When the refresh token is refused (`invalid_grant`) the session ENDS (SC.MSS/CONF.10): tokens are dropped and
//   callers get SESSION_ENDED; the user must sign in again. A sign-out (DELETE /api/psc/session) also revokes the
//   refresh token at PSC when the issuer publishes a `revocation_endpoint` (RFC 7009).
// - Client authentication at the token endpoint: `client_secret_basic` (Espace Communautaire), or mutual TLS with the
//   structure's IGC-Santé certificate, `tls_client_auth` (RFC 8705), which the "Espace de Confiance" requires
//   (MSSANTE.md §1.3, industriels.esante.gouv.fr FAQ). The PKCS#12 stays in memory.

import { Issuer, custom as oidcCustom, errors as oidcErrors, generators, type BaseClient, type TokenSet } from 'openid-client';
import { TransportError } from '../transport/errors';
import { NOOP_LOGGER, type TransportLogger } from '../transport/logger';
import type { AccessToken, AccessTokenSource } from '../transport/types';

/** Options of {@link PscClient.create}. Defaults in brackets. */
export interface PscClientOptions {
  /** Issuer URL (discovery at `/.well-known/openid-configuration`), e.g. the PSC "BAS" sandbox realm. */
  readonly issuer: string;
  readonly clientId: string;
  /** Client secret (Espace Communautaire). Exclusive with `clientCertificate`. */
  readonly clientSecret?: string;
  /**
   * IGC-Santé certificate (PKCS#12) presented by mutual TLS to PSC (RFC 8705 `tls_client_auth`; mandatory in the
   * Espace de Confiance). Given ⇒ the token and revocation requests authenticate with it, never with a secret.
   */
  readonly clientCertificate?: { readonly pfx: Buffer; readonly passphrase?: string };
  /** [the system store] CA certificates (PEM) trusted for PSC's own TLS certificate on the back channel (tests, proxies). */
  readonly trustedCa?: string | Buffer;
  /** Registered redirect URI: the connector's `/psc/callback`. */
  readonly redirectUri: string;
  /** ['openid scope_all'] Requested scopes. */
  readonly scope?: string;
  /** ['eidas1'] `acr_values` (PSC). Empty string ⇒ not sent. */
  readonly acrValues?: string;
  /** [30000] Refresh this long before the access token expires, ms. */
  readonly refreshMarginMs?: number;
  /** [600000] How long a started sign-in waits for its callback, ms. */
  readonly pendingTtlMs?: number;
  /** [Date.now] Clock, ms since epoch. */
  readonly now?: () => number;
  /** Logger: user ids and codes, never a token. */
  readonly logger?: TransportLogger | false;
  /** [10000] HTTP timeout toward PSC, ms. */
  readonly httpTimeoutMs?: number;
}

interface PendingLogin {
  readonly userId: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly createdAt: number;
}

interface Session {
  accessToken: string;
  expiresAt: number;
  refreshToken?: string;
  refreshExpiresAt?: number;
  /** PSC subject (`f:<uuid>:<IDNPS>`), safe to log? No: it identifies a person. Kept for the caller only. */
  sub?: string;
}

/** What a finished sign-in tells the caller. */
export interface PscLoginResult {
  readonly userId: string;
  readonly sub?: string;
  readonly expiresAt: number;
}

/** The PSC client: sign-in, in-memory token store, refresh, end of session. */
export class PscClient {
  private readonly pending = new Map<string, PendingLogin>();
  private readonly sessions = new Map<string, Session>();
  private readonly refreshing = new Map<string, Promise<AccessToken>>();
  private readonly now: () => number;
  private readonly logger: TransportLogger;

  private constructor(
    private readonly client: BaseClient,
    private readonly opts: PscClientOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger || NOOP_LOGGER;
  }

  /** Discovers the issuer and builds the client. */
  static async create(opts: PscClientOptions): Promise<PscClient> {
    if (opts.clientSecret && opts.clientCertificate) throw new Error('PscClient : clientSecret et clientCertificate sont exclusifs (un seul mode d\'authentification du client).');
    const issuer = await Issuer.discover(opts.issuer);
    const mtls = opts.clientCertificate;
    const authMethod = mtls ? 'tls_client_auth' : opts.clientSecret ? 'client_secret_basic' : 'none';
    const client = new issuer.Client({
      client_id: opts.clientId,
      ...(opts.clientSecret ? { client_secret: opts.clientSecret } : {}),
      redirect_uris: [opts.redirectUri],
      response_types: ['code'],
      token_endpoint_auth_method: authMethod,
      revocation_endpoint_auth_method: authMethod,
    });
    const timeout = opts.httpTimeoutMs ?? 10_000;
    // RFC 8705 §2: the certificate is presented in the TLS handshake of every back-channel request
    client[oidcCustom.http_options] = (_url, options) => ({
      ...options,
      timeout,
      ...(opts.trustedCa ? { ca: opts.trustedCa } : {}),
      ...(mtls ? { pfx: mtls.pfx, ...(mtls.passphrase !== undefined ? { passphrase: mtls.passphrase } : {}) } : {}),
    });
    return new PscClient(client, opts);
  }

  /** Starts a sign-in for `userId`: the URL to open in the Office dialog. */
  beginLogin(userId: string, options: { readonly loginHint?: string } = {}): { readonly authorizationUrl: string; readonly state: string } {
    this.dropExpiredPending();
    const codeVerifier = generators.codeVerifier();
    const state = generators.state();
    const nonce = generators.nonce();
    this.pending.set(state, { userId, codeVerifier, nonce, createdAt: this.now() });
    const acr = this.opts.acrValues ?? 'eidas1';
    const authorizationUrl = this.client.authorizationUrl({
      scope: this.opts.scope ?? 'openid scope_all',
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(acr ? { acr_values: acr } : {}),
      ...(options.loginHint ? { login_hint: options.loginHint } : {}),
    });
    this.logger.info({ event: 'psc.login.started', userId }, 'connexion Pro Santé Connect demandée');
    return { authorizationUrl, state };
  }

  /**
   * Finishes a sign-in from the callback's query (`code`, `state`, or `error`). Rejects with a TransportError:
   * PSC_NOT_CONNECTED for an unknown/expired state or a refused sign-in, PSC_UNAVAILABLE when PSC fails.
   */
  async completeLogin(query: Readonly<Record<string, string | undefined>>): Promise<PscLoginResult> {
    this.dropExpiredPending();
    const state = query.state ?? '';
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (!pending) throw new TransportError('PSC_NOT_CONNECTED', { detail: 'état de connexion inconnu ou expiré' });
    if (query.error) throw new TransportError('PSC_NOT_CONNECTED', { originalCode: query.error, detail: 'connexion refusée par Pro Santé Connect' });
    let tokens: TokenSet;
    try {
      const params = this.client.callbackParams(`${this.opts.redirectUri}?${new URLSearchParams(query as Record<string, string>).toString()}`);
      tokens = await this.client.callback(this.opts.redirectUri, params, { code_verifier: pending.codeVerifier, state, nonce: pending.nonce });
    } catch (err) {
      throw this.mapOidcError(err, pending.userId, 'callback');
    }
    const session = this.sessionFrom(tokens);
    this.sessions.set(pending.userId, session);
    this.logger.info({ event: 'psc.login.completed', userId: pending.userId }, 'session Pro Santé Connect ouverte');
    return { userId: pending.userId, sub: session.sub, expiresAt: session.expiresAt };
  }

  /** True while a session is held for `userId`. */
  hasSession(userId: string): boolean {
    return this.sessions.has(userId);
  }

  /**
   * What the add-in may know of a session (never a token): whether one is held, and when it ends at the latest (the
   * refresh token's expiry, when PSC gave one; `refresh_expires_in`, Keycloak). A session whose refresh token has
   * expired counts as ended.
   */
  sessionInfo(userId: string): { readonly connected: boolean; readonly expiresAt?: number } {
    const s = this.sessions.get(userId);
    if (!s) return { connected: false };
    if (s.refreshExpiresAt !== undefined && s.refreshExpiresAt <= this.now() && s.expiresAt <= this.now()) {
      this.endSession(userId, 'refresh-refused');
      return { connected: false };
    }
    return { connected: true, ...(s.refreshExpiresAt !== undefined ? { expiresAt: s.refreshExpiresAt } : {}) };
  }

  /**
   * Sign-out: forgets the tokens at once, then revokes the refresh token at PSC (RFC 7009, SC.MSS/CONF.10) when the
   * issuer publishes a revocation endpoint. A revocation failure is logged (code only) and does not keep the session.
   */
  async signOut(userId: string): Promise<{ readonly ended: boolean; readonly revoked: boolean }> {
    const s = this.sessions.get(userId);
    if (!s) return { ended: false, revoked: false };
    this.endSession(userId, 'logout');
    if (!s.refreshToken || !this.client.issuer.metadata.revocation_endpoint) return { ended: true, revoked: false };
    try {
      await this.client.revoke(s.refreshToken, 'refresh_token');
      this.logger.info({ event: 'psc.token.revoked', userId }, 'jeton Pro Santé Connect révoqué');
      return { ended: true, revoked: true };
    } catch (err) {
      const code = err instanceof oidcErrors.OPError ? err.error : ((err as { code?: string }).code ?? 'unknown');
      this.logger.warn({ event: 'psc.revoke.failed', userId, originalCode: code }, 'révocation Pro Santé Connect impossible : session oubliée localement');
      return { ended: true, revoked: false };
    }
  }

  /**
   * The access token of `userId`, refreshed transparently while the refresh token is valid (before expiry minus
   * `refreshMarginMs`, or at once with `forceRefresh`). Rejects with SESSION_ENDED, PSC_NOT_CONNECTED or PSC_UNAVAILABLE.
   */
  async getAccessToken(userId: string, options: { readonly forceRefresh?: boolean } = {}): Promise<AccessToken> {
    const session = this.sessions.get(userId);
    if (!session) throw new TransportError('PSC_NOT_CONNECTED');
    const margin = this.opts.refreshMarginMs ?? 30_000;
    if (!options.forceRefresh && session.expiresAt - margin > this.now()) return { value: session.accessToken, expiresAt: session.expiresAt };
    const inFlight = this.refreshing.get(userId);
    if (inFlight) return inFlight;
    const p = this.refresh(userId, session).finally(() => this.refreshing.delete(userId));
    this.refreshing.set(userId, p);
    return p;
  }

  /** The {@link AccessTokenSource} of one user, for the transports. */
  tokenSource(userId: string): AccessTokenSource {
    return { getAccessToken: (o) => this.getAccessToken(userId, o) };
  }

  /** Ends the session of `userId` (sign-out, or CONF.10). Tokens are forgotten. */
  endSession(userId: string, reason: 'logout' | 'refresh-refused' = 'logout'): void {
    if (this.sessions.delete(userId)) this.logger.info({ event: 'psc.session.ended', userId, reason }, 'session Pro Santé Connect terminée');
  }

  private async refresh(userId: string, session: Session): Promise<AccessToken> {
    if (!session.refreshToken || (session.refreshExpiresAt !== undefined && session.refreshExpiresAt <= this.now())) {
      this.endSession(userId, 'refresh-refused');
      throw new TransportError('SESSION_ENDED', { detail: 'jeton de rafraîchissement absent ou expiré' });
    }
    try {
      const tokens = await this.client.refresh(session.refreshToken);
      const next = this.sessionFrom(tokens, session);
      this.sessions.set(userId, next);
      this.logger.info({ event: 'psc.token.refreshed', userId }, 'jeton Pro Santé Connect renouvelé');
      return { value: next.accessToken, expiresAt: next.expiresAt };
    } catch (err) {
      const mapped = this.mapOidcError(err, userId, 'refresh');
      if (mapped.code === 'SESSION_ENDED') this.endSession(userId, 'refresh-refused');
      // PSC unreachable but the current token has not expired yet: keep using it (CONF.08: do not break the rest).
      else if (session.expiresAt > this.now()) return { value: session.accessToken, expiresAt: session.expiresAt };
      throw mapped;
    }
  }

  private sessionFrom(tokens: TokenSet, previous?: Session): Session {
    if (!tokens.access_token) throw new TransportError('PSC_UNAVAILABLE', { detail: "pas de jeton d'accès dans la réponse" });
    const expiresIn = typeof tokens.expires_in === 'number' ? tokens.expires_in : 300;
    const refreshExpiresIn = (tokens as unknown as { refresh_expires_in?: unknown }).refresh_expires_in;
    let sub = previous?.sub;
    try {
      if (tokens.id_token) sub = tokens.claims().sub;
    } catch {
      /* no id_token in a refresh response: keep the previous subject */
    }
    return {
      accessToken: tokens.access_token,
      expiresAt: this.now() + expiresIn * 1000,
      refreshToken: tokens.refresh_token ?? previous?.refreshToken,
      refreshExpiresAt: typeof refreshExpiresIn === 'number' && refreshExpiresIn > 0 ? this.now() + refreshExpiresIn * 1000 : previous?.refreshExpiresAt,
      sub,
    };
  }

  private mapOidcError(err: unknown, userId: string, step: 'callback' | 'refresh'): TransportError {
    if (err instanceof TransportError) return err;
    if (err instanceof oidcErrors.OPError) {
      this.logger.warn({ event: `psc.${step}.refused`, userId, error: err.error }, 'Pro Santé Connect a refusé la demande');
      if (err.error === 'invalid_grant') {
        return step === 'refresh'
          ? new TransportError('SESSION_ENDED', { originalCode: err.error, cause: err })
          : new TransportError('PSC_NOT_CONNECTED', { originalCode: err.error, cause: err });
      }
      return new TransportError('PSC_UNAVAILABLE', { originalCode: err.error, cause: err });
    }
    const code = (err as { code?: string }).code ?? (err instanceof oidcErrors.RPError ? 'RPError' : 'unknown');
    this.logger.warn({ event: `psc.${step}.failed`, userId, originalCode: code }, 'Pro Santé Connect injoignable');
    return new TransportError('PSC_UNAVAILABLE', { originalCode: code, cause: err });
  }

  private dropExpiredPending(): void {
    const ttl = this.opts.pendingTtlMs ?? 600_000;
    for (const [state, p] of this.pending) if (p.createdAt + ttl < this.now()) this.pending.delete(state);
  }
}
