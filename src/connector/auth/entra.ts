// Runtime: Node (connector). Validates the Microsoft Entra ID access token the add-in sends (Authorization: Bearer)
// against the tenant's signing keys with `jose`: signature (RS256, keys from the tenant's JWKS, fetched and cached
// by createRemoteJWKSet; a local key set in tests), issuer (v2.0 `https://login.microsoftonline.com/<tid>/v2.0`
// or v1.0 `https://sts.windows.net/<tid>/`), audience, tenant (`tid`), expiry (60 s clock tolerance).
// learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens

import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** Options of {@link createEntraVerifier}. */
export interface EntraVerifierOptions {
  /** Directory (tenant) id, a GUID (entra.tenantId). */
  readonly tenantId: string;
  /** Expected `aud`: the connector's application id URI or client id (entra.audience). */
  readonly audience: string;
  /** [https://login.microsoftonline.com/<tenantId>/discovery/v2.0/keys] Key set URL (entra.jwksUrl). */
  readonly jwksUrl?: string;
  /** A local key set instead of the URL (tests). */
  readonly jwks?: JSONWebKeySet;
  /** [Date.now] Clock, ms. */
  readonly now?: () => number;
}

/** Who called, from the validated token. */
export interface EntraIdentity {
  /** Object id of the user in the tenant: the stable author id of traces and queue rows. */
  readonly oid: string;
  /** `preferred_username` (UPN), lower-cased, when present. */
  readonly username?: string;
  readonly tenantId: string;
}

/** Why a token was refused (code for logs; the HTTP answer stays generic). */
export class EntraTokenError extends Error {
  constructor(readonly reason: 'expired' | 'signature' | 'claims' | 'malformed' | 'keys_unavailable') {
    super(`Entra token refused: ${reason}`);
    this.name = 'EntraTokenError';
  }
}

export type EntraVerifier = (token: string) => Promise<EntraIdentity>;

/** Builds the verifier once (the remote key set is cached and refreshed by jose on an unknown `kid`). */
export function createEntraVerifier(opts: EntraVerifierOptions): EntraVerifier {
  const keys: JWTVerifyGetKey = opts.jwks
    ? createLocalJWKSet(opts.jwks)
    : createRemoteJWKSet(new URL(opts.jwksUrl ?? `https://login.microsoftonline.com/${opts.tenantId}/discovery/v2.0/keys`), { cooldownDuration: 30_000, cacheMaxAge: 86_400_000 });
  const issuers = [`https://login.microsoftonline.com/${opts.tenantId}/v2.0`, `https://sts.windows.net/${opts.tenantId}/`];
  const now = opts.now ?? Date.now;
  return async (token) => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: issuers,
        audience: opts.audience,
        algorithms: ['RS256'],
        clockTolerance: 60,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'tid', 'oid'],
      }));
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw new EntraTokenError('expired');
      if (e instanceof joseErrors.JWTClaimValidationFailed) throw new EntraTokenError('claims');
      if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWSSignatureVerificationFailed) throw new EntraTokenError('signature');
      if (e instanceof joseErrors.JWKSTimeout || !(e instanceof joseErrors.JOSEError)) throw new EntraTokenError('keys_unavailable');
      throw new EntraTokenError('malformed');
    }
    if (payload.tid !== opts.tenantId || typeof payload.oid !== 'string') throw new EntraTokenError('claims');
    const username = typeof payload.preferred_username === 'string' ? payload.preferred_username.toLowerCase() : typeof payload.upn === 'string' ? payload.upn.toLowerCase() : undefined;
    return { oid: payload.oid, ...(username ? { username } : {}), tenantId: payload.tid };
  };
}
