// Runtime: Node (connector). The connector's own receipt poller, built from the configuration by server.ts next to
// the outbound worker: IMAP to the operator (receipts.imapHost, default outbound.smtpHost) with the same IGC-Santé
// anchors and the CRLs the worker's schedule keeps under <dataDir>/crl (re-read every 10 minutes, never written
// here), personal and organisational mailboxes opened with the Pro Santé Connect session of an author who sent
// from them (the relay's credentials). Applicative mailboxes are not read: no published IMAP binding after mutual
// TLS (docs/transport.md).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import type { PscClient } from '../psc';
import type { Store } from '../store';
import { CrlStore, createTlsPolicy, type OperatorCredentials, type TlsPolicy, type TransportLogger } from '../transport';
import { createReceiptPoller, type ReceiptPoller } from './poller';

/** How long a TLS policy (with the CRLs read from disk) is reused, ms. */
const POLICY_TTL_MS = 10 * 60_000;

/** The credentials of a mailbox: the PSC session of one of the authors who sent from it, if any is live. */
export function pscCredentialsFor(psc: Pick<PscClient, 'hasSession' | 'tokenSource'> | undefined) {
  return (mailbox: string, authorIds: readonly string[]): OperatorCredentials | undefined => {
    const author = psc ? authorIds.find((a) => psc.hasSession(a)) : undefined;
    return psc && author ? { kind: 'psc', mailbox, tokens: psc.tokenSource(author) } : undefined;
  };
}

/** Builds (not started) the poller, or undefined when receipts are off or no operator is configured. */
export function createConnectorReceiptPoller(config: Config, store: Store, psc: PscClient | undefined, logger?: TransportLogger): ReceiptPoller | undefined {
  const o = config.outbound;
  const r = config.receipts;
  if (!r.enabled || !r.imapHost || !o.smtpHost || !o.trustAnchorsPath) return undefined;
  const anchors = readFileSync(o.trustAnchorsPath);
  let cached: { policy: TlsPolicy; at: number } | undefined;
  const tlsPolicy = async (): Promise<TlsPolicy> => {
    if (!cached || Date.now() - cached.at > POLICY_TTL_MS) {
      const crls = await CrlStore.create({ anchors, dir: join(config.dataDir, 'crl') });
      cached = { policy: createTlsPolicy({ trustAnchors: anchors, revocation: crls }), at: Date.now() };
    }
    return cached.policy;
  };
  return createReceiptPoller({
    store,
    imap: { host: r.imapHost, port: r.imapPort, ...(r.imapServername ? { servername: r.imapServername } : {}), tlsPolicy },
    credentialsFor: pscCredentialsFor(psc),
    folder: r.folder,
    disposal: r.disposal,
    intervalMs: r.pollSeconds * 1000,
    sinceDays: r.sinceDays,
    ...(logger ? { logger } : {}),
  });
}
