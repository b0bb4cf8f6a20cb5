// Runtime: Node (connector). A stand-alone outbound worker process: `node build/src/connector/outbound/worker-main.js
// <config.json>` (the JSON file below). It relays the queue of a shared store (SQLite file or
// PostgreSQL) for APPLICATIVE mailboxes, authenticated by their IGC-Santé certificate (mutual TLS, SC.MSS/CONF.27):
// personal and organisational mailboxes need the user's Pro Santé Connect token, held in memory by the connector
// process, so they are relayed by the connector's own worker. Used by the fault tests (SIGKILL, restart) and for
// scaling out; SIGTERM / SIGINT stop it cleanly (messages in flight finish).
//
// {
//   "store": { "type": "sqlite", "sqlitePath": "..." } | { "type": "postgres", "url": "postgres://...", "schema": "public" },
//   "smtp": { "host": "...", "port": 587, "servername": "..." },
//   "trustAnchorsFile": "igc-sante.pem", "crlFiles": ["..."],
//   "mailboxes": { "<mailbox>": { "pfxFile": "app.p12", "passphraseFile": "app.p12.pass" } },
//   "workerId": "...", "concurrency": 4, "prefetch": 4, "leaseMs": 300000, "pollMs": 1000,
//   "retry": { "baseMs": 30000, "maxMs": 3600000, "maxAttempts": 12 }
// }

import { readFileSync } from 'node:fs';
import { openPostgresStore, openSqliteStore, type Store } from '../store';
import { CrlStore, createTlsPolicy, TransportError, type OperatorCredentials } from '../transport';
import type { RetryOptions } from './retry';
import { createSmtpRelay } from './relay';
import { createOutboundWorker } from './worker';

interface WorkerFileConfig {
  store: { type: 'sqlite'; sqlitePath: string } | { type: 'postgres'; url: string; schema?: string };
  smtp: { host: string; port?: number; servername?: string };
  trustAnchorsFile: string;
  crlFiles: string[];
  mailboxes: Record<string, { pfxFile: string; passphraseFile: string }>;
  workerId?: string;
  concurrency?: number;
  prefetch?: number;
  leaseMs?: number;
  pollMs?: number;
  retry?: RetryOptions;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('Usage : node worker-main.js <configuration.json> (fichier de configuration du travailleur d\'envoi).');
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as WorkerFileConfig;
  const anchors = readFileSync(cfg.trustAnchorsFile);
  const crls = await CrlStore.create({ anchors });
  for (const f of cfg.crlFiles) await crls.add(readFileSync(f));
  const tlsPolicy = createTlsPolicy({ trustAnchors: anchors, revocation: crls });
  const certificates = new Map<string, OperatorCredentials>();
  for (const [mailbox, c] of Object.entries(cfg.mailboxes)) {
    certificates.set(mailbox, { kind: 'certificate', mailbox, pfx: readFileSync(c.pfxFile), passphrase: readFileSync(c.passphraseFile, 'utf8').trim() });
  }
  const store: Store = cfg.store.type === 'postgres' ? await openPostgresStore({ url: cfg.store.url, ...(cfg.store.schema ? { schema: cfg.store.schema } : {}) }) : openSqliteStore(cfg.store.sqlitePath);
  const relay = createSmtpRelay({
    host: cfg.smtp.host,
    ...(cfg.smtp.port ? { port: cfg.smtp.port } : {}),
    ...(cfg.smtp.servername ? { servername: cfg.smtp.servername } : {}),
    tlsPolicy,
    connectionTimeoutMs: 5_000,
    socketTimeoutMs: 20_000,
    ...(cfg.concurrency ? { maxConnections: cfg.concurrency } : {}),
    credentialsFor(mailbox) {
      const c = certificates.get(mailbox);
      // no certificate for this mailbox: a permanent refusal, explained (the connector's own worker relays PSC mailboxes)
      if (!c) throw new TransportError('AUTH_CLIENT_CERT_INVALID', { detail: 'aucun certificat configuré pour cette BAL dans le travailleur autonome' });
      return c;
    },
  });
  const worker = createOutboundWorker({
    store,
    relay,
    ...(cfg.workerId ? { workerId: cfg.workerId } : {}),
    ...(cfg.concurrency ? { concurrency: cfg.concurrency } : {}),
    ...(cfg.prefetch !== undefined ? { prefetch: cfg.prefetch } : {}),
    ...(cfg.leaseMs ? { leaseMs: cfg.leaseMs } : {}),
    ...(cfg.pollMs ? { pollMs: cfg.pollMs } : {}),
    ...(cfg.retry ? { retry: cfg.retry } : {}),
  });
  worker.start();
  process.stdout.write(`Travailleur d'envoi ${worker.workerId} prêt (base ${store.type}).\n`);
  const stop = () => {
    process.stdout.write('Arrêt du travailleur d\'envoi…\n');
    worker.stop().then(() => store.close()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`Travailleur d'envoi : ${(err as Error).message}\n`);
    process.exit(1);
  });
}
