// Runtime: Node (connector). Reads `Authorization: Bearer <token>` and validates it; maps refusals onto the API's
// error codes (the reason stays in the logs, never in the answer).

import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import { EntraTokenError, type EntraIdentity, type EntraVerifier } from './entra';

/** The caller's identity, or an ApiError (AUTH_REQUIRED / AUTH_INVALID / SENDING_DISABLED). */
export async function bearerIdentity(request: FastifyRequest, verify: EntraVerifier | undefined): Promise<EntraIdentity> {
  if (!verify) throw new ApiError('SENDING_DISABLED');
  const header = request.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim()) : null;
  if (!m) throw new ApiError('AUTH_REQUIRED');
  try {
    return await verify(m[1]);
  } catch (e) {
    request.log.info({ reason: e instanceof EntraTokenError ? e.reason : 'unknown' }, 'entra_token_refused');
    throw new ApiError('AUTH_INVALID');
  }
}
