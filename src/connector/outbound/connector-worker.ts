// Runtime: Node (connector). The connector's own outbound worker, built from the configuration by server.ts:
// SMTP submission to the operator (outbound.smtpHost) with the IGC-Santé anchors and the CRL store kept under
// <dataDir>/crl, personal and organisational mailboxes authenticated with the author's Pro Santé Connect session.
// Without outbound.smtpHost the queue fills and the add-in shows "en attente".

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import type { PscClient } from '../psc';
import type { Store } from '../store';
import { CrlStore, createTlsPolicy, TransportError } from '../transport';
import { createSmtpRelay } from './relay';
import { createOutboundWorker, type OutboundWorker } from './worker';

/** Builds (not started) the worker, or undefined when no operator is configured. */
export async function createConnectorWorker(config: Config, store: Store, psc: PscClient | undefined): Promise<OutboundWorker | undefined> {
  const o = config.outbound;
  if (!o.smtpHost || !o.trustAnchorsPath) return undefined;
  const anchors = readFileSync(o.trustAnchorsPath);
  const crls = await CrlStore.create({ anchors, dir: join(config.dataDir, 'crl') });
  const relay = createSmtpRelay({
    host: o.smtpHost,
    port: o.smtpPort,
    ...(o.smtpServername ? { servername: o.smtpServername } : {}),
    tlsPolicy: createTlsPolicy({ trustAnchors: anchors, revocation: crls }),
    credentialsFor(mailbox, authorId) {
      if (!psc) throw new TransportError('PSC_NOT_CONNECTED', { detail: 'Pro Santé Connect n\'est pas configuré sur ce connecteur (psc.*)' });
      return { kind: 'psc', mailbox, tokens: psc.tokenSource(authorId) };
    },
  });
  return createOutboundWorker({
    store,
    relay,
    concurrency: o.concurrency,
    leaseMs: o.leaseSeconds * 1000,
    retry: { baseMs: o.retryBaseSeconds * 1000, maxMs: o.retryMaxSeconds * 1000, maxAttempts: o.maxAttempts },
  });
}
