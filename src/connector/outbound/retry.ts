// Runtime: Node (connector). Which failures are worth retrying, the exponential backoff with jitter, and the French
// explanation of a final failure with the operator's reply (addresses masked: the reply may echo them).

import { TRANSPORT_ERRORS, TransportError, type TransportErrorCode } from '../transport';
import type { OutboundError } from '../store';

/** Retry settings. Defaults in brackets. */
export interface RetryOptions {
  /** [30 000] First delay, ms. */
  readonly baseMs?: number;
  /** [3 600 000] Largest delay, ms. */
  readonly maxMs?: number;
  /** [12] Attempts before giving up (about 14 h with the defaults). */
  readonly maxAttempts?: number;
}

/**
 * Codes that are temporary even when the library did not flag them: the network and TLS negotiation (a reset
 * mid-handshake), an unreachable CRL distribution point, Pro Santé Connect unavailable, an expired token that a
 * refresh will replace. Everything else follows `TransportError.transient` (SMTP 4xx: yes, 5xx: no).
 */
const ALWAYS_TRANSIENT: ReadonlySet<TransportErrorCode> = new Set<TransportErrorCode>([
  'CONNECTION_FAILED',
  'CONNECTION_TIMEOUT',
  'TLS_HANDSHAKE_FAILED',
  'TLS_CRL_UNAVAILABLE',
  'PSC_UNAVAILABLE',
  'AUTH_TOKEN_EXPIRED',
]);

/** True when a later attempt may succeed. Errors that are not TransportErrors (a bug, a crash) are retried. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof TransportError)) return true;
  return err.transient || ALWAYS_TRANSIENT.has(err.code);
}

/**
 * Delay before attempt `attempts + 1`: `min(maxMs, baseMs × 2^(attempts-1))`, with "equal jitter" (half fixed, half
 * random) so that the messages queued by one outage do not all come back in the same second.
 */
export function backoffMs(attempts: number, opts: RetryOptions = {}, random: () => number = Math.random): number {
  const base = opts.baseMs ?? 30_000;
  const max = opts.maxMs ?? 3_600_000;
  const exp = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

const ADDRESS = /<?[^\s<>@"]+@([^\s<>@"]+)>?/g;

/** Masks the local parts of the addresses a reply may echo: `550 <dr.x@h.fr> unknown` → `550 <*@h.fr> unknown`. */
export function maskReply(reply: string): string {
  return reply.replace(ADDRESS, (_m, domain: string) => `<*@${domain.replace(/>$/, '')}>`).slice(0, 500);
}

/** The stored error of a failed attempt, with the French explanation. */
export function toOutboundError(err: unknown): OutboundError {
  if (!(err instanceof TransportError)) {
    return { code: 'INTERNAL', message: 'Erreur interne du connecteur pendant l\'envoi ; le message sera réessayé.' };
  }
  const reply = err.response ? maskReply(err.response) : undefined;
  return {
    code: err.code,
    message: reply ? `${TRANSPORT_ERRORS[err.code]} Réponse de l'opérateur : « ${reply} ».` : TRANSPORT_ERRORS[err.code],
    ...(reply ? { response: reply } : {}),
    ...(err.responseCode !== undefined ? { responseCode: err.responseCode } : {}),
    ...(err.command ? { command: err.command } : {}),
  };
}

/** The final error once the attempts are exhausted. */
export function expiredError(last: OutboundError, attempts: number): OutboundError {
  return {
    ...last,
    code: 'EXPIRED',
    message: `Le message n'a pas pu être remis à l'opérateur après ${attempts} tentatives ; il ne sera plus réessayé. Dernière erreur : ${last.message} Renvoyez-le quand l'opérateur répond de nouveau.`,
  };
}
