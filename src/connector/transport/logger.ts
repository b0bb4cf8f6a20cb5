// Runtime: Node (connector). The logger the transport layer accepts: pino-compatible (Fastify's `request.log` and
// `app.log` fit), or `false`. Callers log ids and codes only (STYLE.md rule 10): never a token, a key, a subject, a
// body, an attachment name or a full address.

/** A pino-style logger: `logger.info({ event, code }, 'message')`. */
export interface TransportLogger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

/** Logs nothing. */
export const NOOP_LOGGER: TransportLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The domain of an address (for logs: the local part of a health professional's address identifies a person).
 * `dr.martin@hopital.mssante.fr` → `*@hopital.mssante.fr`.
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '*' : `*${address.slice(at)}`;
}
