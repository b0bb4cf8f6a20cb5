// Runtime: Node (connector). Telling "TLS 1.2 not offered" from "none of the four suites offered" after a refused
// handshake. Both end in the same `handshake_failure` alert: a server capped at TLS 1.1 has no suite in common with
// a TLS 1.2-only client that offers only TLS 1.2 suites. So, ONLY after the connection has been refused, the
// connector opens one diagnostic STARTTLS handshake with everything allowed, reads the version and suite the server
// picks, and closes it at once: no EHLO after TLS, no authentication, no byte of a message, the certificate is not
// even looked at. It never turns a refusal into an acceptance. Can be turned off (`diagnose: false`).

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type SecureVersion } from 'node:tls';
import { TransportError } from './errors';

/** What the server chose when everything was allowed. */
export interface HandshakeDiagnosis {
  /** `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`. */
  readonly version: string;
  /** OpenSSL name of the suite, e.g. `AES256-GCM-SHA384`. */
  readonly cipher: string;
}

/** Reads lines until `done(line)` says so, or the timeout. */
function expectLine(socket: Socket, done: (line: string) => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => finish(new Error('timeout')), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      const lines = buffer.split('\r\n');
      buffer = lines.pop() ?? '';
      if (lines.some(done)) finish();
    };
    const onError = (err: Error) => finish(err);
    function finish(err?: Error) {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      if (err) reject(err);
      else resolve();
    }
    socket.on('data', onData);
    socket.on('error', onError);
  });
}

/**
 * One diagnostic STARTTLS handshake (SMTP: RFC 3207; IMAP: RFC 3501 §6.2.1) with all versions and suites allowed.
 * Resolves undefined when it cannot tell (server gone, no STARTTLS, timeout).
 */
export async function diagnoseStartTls(options: { protocol: 'smtp' | 'imap'; host: string; port: number; servername?: string; timeoutMs?: number; maxVersion?: SecureVersion }): Promise<HandshakeDiagnosis | undefined> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const socket = netConnect({ host: options.host, port: options.port });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    if (options.protocol === 'smtp') {
      await expectLine(socket, (l) => /^220 /.test(l), timeoutMs);
      socket.write('EHLO diagnostic.invalid\r\n');
      await expectLine(socket, (l) => /^250 /.test(l), timeoutMs);
      socket.write('STARTTLS\r\n');
      await expectLine(socket, (l) => /^220 /.test(l), timeoutMs);
    } else {
      await expectLine(socket, (l) => /^\* OK/i.test(l), timeoutMs);
      socket.write('D1 STARTTLS\r\n');
      await expectLine(socket, (l) => /^D1 OK/i.test(l), timeoutMs);
    }
    return await new Promise<HandshakeDiagnosis | undefined>((resolve) => {
      const secure = tlsConnect({
        socket,
        servername: options.servername,
        minVersion: 'TLSv1',
        maxVersion: options.maxVersion ?? 'TLSv1.3',
        ciphers: 'ALL:@SECLEVEL=0',
        rejectUnauthorized: false, // diagnosis only: nothing is sent over this connection
      });
      const timer = setTimeout(() => {
        secure.destroy();
        resolve(undefined);
      }, timeoutMs);
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        const version = secure.getProtocol() ?? '';
        const cipher = secure.getCipher()?.name ?? '';
        secure.destroy();
        resolve({ version, cipher });
      });
      secure.once('error', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  } catch {
    return undefined;
  } finally {
    socket.destroy();
  }
}

/**
 * Refines an ambiguous TLS_CIPHER_REFUSED (a `handshake_failure` alert) into TLS_VERSION_REFUSED when the server,
 * left free, does not pick TLS 1.2 (nor accepts it when capped at 1.2). Other errors are returned unchanged.
 */
export async function refineHandshakeError(err: unknown, target: { protocol: 'smtp' | 'imap'; host: string; port: number; servername?: string; timeoutMs?: number }): Promise<unknown> {
  if (!(err instanceof TransportError) || err.code !== 'TLS_CIPHER_REFUSED') return err;
  let d = await diagnoseStartTls(target);
  if (d && d.version === 'TLSv1.3') d = (await diagnoseStartTls({ ...target, maxVersion: 'TLSv1.2' })) ?? d;
  if (!d) return err;
  const code = d.version === 'TLSv1.2' ? 'TLS_CIPHER_REFUSED' : 'TLS_VERSION_REFUSED';
  return new TransportError(code, { cause: err.cause, originalCode: err.originalCode, command: err.command, detail: `diagnostic : le serveur choisit ${d.version} ${d.cipher}` });
}
