// Runtime: Node (connector). Is the operator reachable? For the admin status page: a TCP connection to
// outbound.smtpHost, the greeting, EHLO, STARTTLS (RFC 3207), then the TLS handshake with the SAME policy as the
// outbound worker (TLS 1.2 only, the four ECO.1.1.3 suites, IGC-Santé anchors only, revocation from the CRLs kept
// under <dataDir>/crl), then QUIT. No authentication, no message. The answer is cached for a minute (one probe at a
// time), and a failure carries the transport layer's French explanation (transport/errors.ts).

import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { Config } from '../config';
import { CrlStore, createTlsPolicy, toTransportError, TRANSPORT_ERRORS, TransportError, type TlsPolicy } from '../transport';

/** What the status page shows about the operator. */
export interface OperatorStatus {
  /** False when no outbound.smtpHost is configured (messages stay "en attente"). */
  readonly configured: boolean;
  readonly host?: string;
  readonly port?: number;
  /** True / false after a probe; absent when not configured. */
  readonly reachable?: boolean;
  /** Transport error code when not reachable (TLS_UNTRUSTED_CA, CONNECTION_FAILED...). */
  readonly code?: string;
  /** French sentence: what was found, and what to do when it failed. */
  readonly message: string;
  /** Negotiated protocol and suite, when reachable. */
  readonly tls?: { readonly version: string; readonly cipher: string };
  /** ISO 8601 time of the probe. */
  readonly checkedAt?: string;
  readonly durationMs?: number;
  /** True when this answer comes from the one-minute cache. */
  readonly cached?: boolean;
}

/** Options of {@link createOperatorProbe}. Defaults in brackets. */
export interface OperatorProbeOptions {
  /** [60 000] How long an answer is reused, ms. */
  readonly ttlMs?: number;
  /** [5 000] Timeout of each step (connect, greeting, EHLO, STARTTLS, handshake), ms. */
  readonly timeoutMs?: number;
  /** [Date.now] */
  readonly now?: () => number;
  /** [anchors of outbound.trustAnchorsPath + CRLs of <dataDir>/crl] The TLS policy of the probe. */
  readonly tlsPolicy?: (config: Config) => Promise<TlsPolicy>;
}

/** The cached probe. */
export interface OperatorProbe {
  status(config: Config): Promise<OperatorStatus>;
}

/** The worker's policy: IGC-Santé anchors only, revocation against the CRLs the connector keeps. */
async function defaultPolicy(config: Config): Promise<TlsPolicy> {
  const anchors = readFileSync(config.outbound.trustAnchorsPath as string);
  const crls = await CrlStore.create({ anchors, dir: join(config.dataDir, 'crl') });
  return createTlsPolicy({ trustAnchors: anchors, revocation: crls });
}

/** Reads SMTP replies until a final line (`NNN ` with a space) and returns all its lines. */
function readReply(socket: Socket, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const lines: string[] = [];
    const timer = setTimeout(() => finish(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    function onData(chunk: Buffer) {
      buffer += chunk.toString('latin1');
      const parts = buffer.split('\r\n');
      buffer = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        if (/^\d{3} /.test(l) || /^\d{3}$/.test(l)) return finish();
      }
    }
    const onError = (err: Error) => finish(err);
    const onClose = () => finish(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' }));
    function finish(err?: Error) {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (err) reject(err);
      else resolve(lines);
    }
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

/** One probe; resolves (never rejects) with the outcome. */
export async function probeOperator(target: { host: string; port: number; servername?: string; policy: TlsPolicy; timeoutMs: number }): Promise<{ ok: true; version: string; cipher: string } | { ok: false; error: TransportError }> {
  const socket = netConnect({ host: target.host, port: target.port });
  socket.setTimeout(target.timeoutMs, () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  const fail = (err: unknown) => ({ ok: false as const, error: err instanceof TransportError ? err : toTransportError(err, { auth: 'none', protocol: 'smtp' }) });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const greeting = await readReply(socket, target.timeoutMs);
    if (!/^220/.test(greeting[greeting.length - 1] ?? '')) {
      return fail(new TransportError('OPERATOR_ERROR', { response: greeting[greeting.length - 1], command: 'CONNECT' }));
    }
    socket.write(`EHLO ${hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'mss-outlook'}\r\n`);
    const ehlo = await readReply(socket, target.timeoutMs);
    if (!/^250/.test(ehlo[ehlo.length - 1] ?? '')) return fail(new TransportError('OPERATOR_ERROR', { response: ehlo[ehlo.length - 1], command: 'EHLO' }));
    if (!ehlo.some((l) => /^250[ -]STARTTLS\b/i.test(l))) return fail(new TransportError('STARTTLS_UNAVAILABLE', { command: 'EHLO' }));
    socket.write('STARTTLS\r\n');
    const ready = await readReply(socket, target.timeoutMs);
    if (!/^220/.test(ready[ready.length - 1] ?? '')) return fail(new TransportError('STARTTLS_UNAVAILABLE', { response: ready[ready.length - 1], command: 'STARTTLS' }));
    const servername = target.servername ?? (isIP(target.host) === 0 ? target.host : undefined);
    const secure = tlsConnect({ socket, ...target.policy.connectionOptions(servername ? { servername } : {}) });
    // checkServerIdentity (the policy's verifyPeer) gets the host name: with an IP and no servername, the IP
    const result = await new Promise<{ version: string; cipher: string }>((resolve, reject) => {
      secure.once('secureConnect', () => resolve({ version: secure.getProtocol() ?? '', cipher: secure.getCipher()?.name ?? '' }));
      secure.once('error', reject);
    });
    secure.write('QUIT\r\n');
    secure.end();
    return { ok: true, ...result };
  } catch (e) {
    return fail(e);
  } finally {
    socket.destroy();
  }
}

/** Builds the cached probe. */
export function createOperatorProbe(opts: OperatorProbeOptions = {}): OperatorProbe {
  const ttlMs = opts.ttlMs ?? 60_000;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const now = opts.now ?? Date.now;
  const policyOf = opts.tlsPolicy ?? defaultPolicy;
  let cache: { key: string; at: number; value: OperatorStatus } | undefined;
  let inFlight: { key: string; promise: Promise<OperatorStatus> } | undefined;

  async function run(config: Config): Promise<OperatorStatus> {
    const o = config.outbound;
    const host = o.smtpHost as string;
    const started = now();
    let policy: TlsPolicy;
    try {
      policy = await policyOf(config);
    } catch (e) {
      return {
        configured: true,
        host,
        port: o.smtpPort,
        reachable: false,
        code: 'TLS_POLICY_UNAVAILABLE',
        message: `Politique TLS IGC-Santé inutilisable (${(e as NodeJS.ErrnoException).code ?? (e as Error).name}) : vérifiez outbound.trustAnchorsPath (fichier PEM des autorités IGC-Santé).`,
        checkedAt: new Date(started).toISOString(),
        durationMs: now() - started,
      };
    }
    const r = await probeOperator({ host, port: o.smtpPort, ...(o.smtpServername ? { servername: o.smtpServername } : {}), policy, timeoutMs });
    const base = { configured: true, host, port: o.smtpPort, checkedAt: new Date(started).toISOString(), durationMs: now() - started };
    if (r.ok) {
      return { ...base, reachable: true, tls: { version: r.version, cipher: r.cipher }, message: `Joignable : STARTTLS puis ${r.version} (${r.cipher}), certificat du serveur vérifié avec les autorités IGC-Santé.` };
    }
    return { ...base, reachable: false, code: r.error.code, message: TRANSPORT_ERRORS[r.error.code] };
  }

  return {
    async status(config) {
      const o = config.outbound;
      if (!o.smtpHost || !o.trustAnchorsPath) {
        return { configured: false, message: 'Aucun serveur de l\'opérateur configuré (outbound.smtpHost) : les messages sont mis en file mais restent « en attente ».' };
      }
      const key = JSON.stringify([o.smtpHost, o.smtpPort, o.smtpServername ?? '', o.trustAnchorsPath, config.dataDir]);
      if (cache && cache.key === key && now() - cache.at < ttlMs) return { ...cache.value, cached: true };
      if (inFlight?.key !== key) {
        const promise = run(config).then((value) => {
          cache = { key, at: now(), value };
          return value;
        });
        inFlight = { key, promise };
        void promise.finally(() => {
          if (inFlight?.promise === promise) inFlight = undefined;
        });
      }
      return inFlight.promise;
    },
  };
}
