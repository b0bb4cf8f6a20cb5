// Runtime: Node (connector). The connector's own outbound worker, built from the configuration by server.ts:
// SMTP submission to the operator (outbound.smtpHost) with the IGC-Santé anchors and the CRL store kept under
// <dataDir>/crl, personal and organisational mailboxes authenticated with the author's Pro Santé Connect session.
// Without outbound.smtpHost the queue fills and the add-in shows "en attente".

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { pscSessionWait, type PscClient } from '../psc';
import type { Store } from '../store';
import { CrlStore, createTlsPolicy, TransportError } from '../transport';
import { createCrlScheduler } from '../transport/crl-scheduler';
import { createSmtpRelay, type OutboundRelay } from './relay';
import { createOutboundWorker, type OutboundWorker } from './worker';

/** Builds (not started) the worker, or undefined when no operator is configured. */
export async function createConnectorWorker(
  config: Config,
  store: Store,
  psc: PscClient | undefined,
  hooks: { readonly pollSoon?: (mailbox: string, authorId: string) => void } = {},
): Promise<OutboundWorker | undefined> {
  const o = config.outbound;
  if (!o.smtpHost || !o.trustAnchorsPath) return undefined;
  const anchors = readFileSync(o.trustAnchorsPath);
  // 30 s per CRL download: a hung publication point must not stall the schedule
  const crls = await CrlStore.create({ anchors, dir: join(config.dataDir, 'crl'), fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(30_000) }) });
  // scheduled CRL downloads (transport/crl-scheduler.ts): started and stopped with the worker below
  const crlSchedule = createCrlScheduler({ store: crls, urls: o.crlUrls, anchors, intervalMs: o.crlRefreshHours * 3_600_000 });
  const smtp = createSmtpRelay({
    host: o.smtpHost,
    port: o.smtpPort,
    ...(o.smtpServername ? { servername: o.smtpServername } : {}),
    tlsPolicy: createTlsPolicy({ trustAnchors: anchors, revocation: crls }),
    maxConnections: o.concurrency,
    credentialsFor(mailbox, authorId) {
      if (!psc) throw new TransportError('PSC_NOT_CONNECTED', { detail: 'Pro Santé Connect n\'est pas configuré sur ce connecteur (psc.*)' });
      return { kind: 'psc', mailbox, tokens: psc.tokenSource(authorId) };
    },
  });
  // No PSC session for the author ⇒ PSC_NOT_CONNECTED BEFORE any connection to the operator (nodemailer asks for the
  // token only at AUTH, after the TLS handshake): a waiting message costs no connection; the worker waits (waitFor).
  const needSession = (authorId: string): void => {
    if (psc && !psc.hasSession(authorId)) throw new TransportError('PSC_NOT_CONNECTED');
  };
  const relay: OutboundRelay = {
    ...smtp,
    submit: async (r) => (needSession(r.authorId), smtp.submit(r)),
    submitRaw: async (r) => (needSession(r.authorId), smtp.submitRaw(r)),
  };
  // An interrupted sending waits for the operator's DSN before any new submission when the receipts of its mailbox
  // are read: the poller (receipts/connector-poller.ts) opens PER/ORG mailboxes with the same PSC sessions.
  const r = config.receipts;
  const reconcile = r.enabled && r.imapHost !== undefined && o.reconcileSeconds > 0;
  const worker = createOutboundWorker({
    store,
    relay,
    ...(reconcile && psc
      ? {
          reconcile: {
            graceMs: o.reconcileSeconds * 1000,
            // the poller opens the mailbox with a live PSC session of one of its authors: the message's at least
            canReadNow: (_mailbox: string, authorId: string) => psc.hasSession(authorId),
            ...(hooks.pollSoon ? { onPending: hooks.pollSoon } : {}),
          },
        }
      : {}),
    // PER/ORG mailbox whose author has no live PSC session: wait (PSC_SESSION_REQUIRED) without spending attempts
    ...(config.psc ? { waitFor: pscSessionWait(config.psc.waitRecheckSeconds * 1000) } : {}),
    concurrency: o.concurrency,
    leaseMs: o.leaseSeconds * 1000,
    retry: { baseMs: o.retryBaseSeconds * 1000, maxMs: o.retryMaxSeconds * 1000, maxAttempts: o.maxAttempts },
  });
  let stopped = false;
  return {
    ...worker,
    start() {
      stopped = false;
      crlSchedule.start();
      // the first CRL download before the first message: without a CRL every connection is TLS_CRL_UNAVAILABLE
      void crlSchedule.runNow().finally(() => {
        if (!stopped) worker.start();
      });
    },
    async stop() {
      stopped = true;
      crlSchedule.stop();
      await worker.stop();
    },
  };
}
