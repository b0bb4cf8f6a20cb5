// Runtime: Node (jest, e2e). What the e2e transport tests share: the stand-in's coordinates (from the env lines of
// .ci/operator-stand-in.sh), the TLS policy with the throw-away IGC-Santé PKI, a PSC sign-in driven through the
// connector's real routes (pscRoutes on a bare Fastify, app.inject) and the stand-in's automatic "wallet", and a
// logger that captures every line for the no-secret checks.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { PscClient } from '../../src/connector/psc/psc-client';
import { pscRoutes } from '../../src/connector/psc/routes';
import { CrlStore } from '../../src/connector/transport/crl-store';
import type { TransportLogger } from '../../src/connector/transport/logger';
import { createTlsPolicy, type TlsPolicy } from '../../src/connector/transport/tls-policy';

/** The stand-in, as global-setup exported it. */
export function standIn() {
  const env = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} absent: run through test/e2e-transport/jest.config.js (global setup)`);
    return v;
  };
  const pki = env('MSS_STANDIN_PKI');
  return {
    dir: env('MSS_STANDIN_DIR'),
    host: env('MSS_STANDIN_HOST'),
    servername: env('MSS_STANDIN_SERVERNAME'),
    domain: env('MSS_STANDIN_DOMAIN'),
    smtpPort: Number(env('MSS_STANDIN_SMTP_PORT')),
    imapPort: Number(env('MSS_STANDIN_IMAP_PORT')),
    pscIssuer: env('MSS_STANDIN_PSC_ISSUER'),
    pki,
    anchors: readFileSync(env('MSS_STANDIN_TRUST_ANCHORS'), 'utf8'),
    crls: env('MSS_STANDIN_CRLS').split(':').map((p) => readFileSync(p)),
    appMailbox: env('MSS_STANDIN_APP_MAILBOX'),
    appP12: readFileSync(env('MSS_STANDIN_APP_P12')),
    appP12Pass: readFileSync(env('MSS_STANDIN_APP_P12_PASS_FILE'), 'utf8'),
    logs: env('MSS_STANDIN_LOGS'),
    file: (name: string) => readFileSync(join(pki, name)),
  };
}

export type StandIn = ReturnType<typeof standIn>;

/** A logger that keeps every line (as JSON) for the "no token, no key in the logs" checks. */
export function capturingLogger(): TransportLogger & { readonly lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => {
    lines.push(JSON.stringify({ level, ...obj, msg }));
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A data folder for the connector (CRLs are kept there). */
export function dataDir(): string {
  return mkdtempSync(join(tmpdir(), 'mss-transport-data-'));
}

/** TLS policy over the stand-in's IGC-Santé test anchors, with its CRLs loaded into a store kept in `dir`. */
export async function policyFor(s: StandIn, dir: string, logger?: TransportLogger): Promise<{ policy: TlsPolicy; crls: CrlStore }> {
  const crls = await CrlStore.create({ anchors: s.anchors, dir: join(dir, 'crl'), logger });
  for (const crl of s.crls) {
    const r = await crls.add(crl);
    if (!r.accepted) throw new Error(`CRL refusée: ${r.reason}`);
  }
  return { policy: createTlsPolicy({ trustAnchors: s.anchors, revocation: crls, logger }), crls };
}

export const REDIRECT_URI = 'https://connecteur.test/psc/callback';

/** A PSC client of the stand-in provider (`mss-connecteur`: 120 s tokens; `mss-connecteur-court`: 3 s). */
export function pscClient(s: StandIn, clientId: 'mss-connecteur' | 'mss-connecteur-court', logger?: TransportLogger, refreshMarginMs?: number): Promise<PscClient> {
  return PscClient.create({
    issuer: s.pscIssuer,
    clientId,
    clientSecret: 'connecteur-secret-test',
    redirectUri: REDIRECT_URI,
    scope: 'openid',
    acrValues: '',
    refreshMarginMs,
    logger,
  });
}

/**
 * Signs `userId` in as `mailbox`, as the add-in's Office dialog would: GET /psc/start on the connector, the PSC
 * redirects (the stand-in's wallet logs in the login_hint at once), then GET /psc/callback on the connector.
 */
export async function signIn(client: PscClient, userId: string, mailbox: string): Promise<void> {
  // A real listening Fastify (not inject(): light-my-request pulls the ESM-only `cookie` 2, which jest's CommonJS
  // runtime cannot load).
  const app = Fastify({ logger: false });
  await app.register(pscRoutes({ client, allowUserQuery: true })); // the dev-only ?user= form: the e2e plays the dialog
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const start = await fetch(`${base}/psc/start?user=${encodeURIComponent(userId)}&login_hint=${encodeURIComponent(mailbox)}`, { redirect: 'manual' });
    if (start.status !== 302) throw new Error(`/psc/start: ${start.status}`);
    const url = await walletToCallback(String(start.headers.get('location')));
    const callback = await fetch(`${base}/psc/callback${new URL(url).search}`);
    if (callback.status !== 200) throw new Error(`/psc/callback: ${callback.status} ${await callback.text()}`);
  } finally {
    await app.close();
  }
}

/**
 * Follows the PSC stand-in's redirects from an authorization URL (its wallet logs the login_hint in at once, with the
 * provider's cookies kept between the steps) up to the connector's callback URL ({@link REDIRECT_URI}), returned.
 */
export async function walletToCallback(authorizationUrl: string): Promise<string> {
  let url = authorizationUrl;
  const jar = new Map<string, string>();
  for (let i = 0; i < 10 && !url.startsWith(REDIRECT_URI); i++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const eq = kv.indexOf('=');
      jar.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`PSC stand-in: ${res.status} ${await res.text()}`);
    url = new URL(location, url).toString();
  }
  if (!url.startsWith(REDIRECT_URI)) throw new Error(`PSC stand-in: no callback after 10 redirects (${url})`);
  return url;
}

/** Ends every PSC session of an account at the stand-in provider (its refresh tokens become invalid). */
export async function endPscSessions(s: StandIn, account: string): Promise<void> {
  const res = await fetch(`${s.pscIssuer}/test/end-sessions/${encodeURIComponent(account)}`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`end-sessions: ${res.status}`);
}

/** Waits until `probe` returns a value (or throws after `timeoutMs`). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000, stepMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
