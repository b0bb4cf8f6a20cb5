// Runtime: Node (connector). The ONLY file that reads process.env and listens: loads the configuration, opens the
// store, loads the trust space and the directory, ensures a TLS certificate, builds the app and listens over HTTPS.
// `node build/src/connector/server.js` (what `npm start` runs) calls main(); tests call startConnector().

import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config, type LoadConfigOptions } from './config';
import { ensureDevCertificate } from './dev-cert';
import { PscClient } from './psc';
import { loadDirectory, loadTrustSpace } from './resources';
import { createConnectorWorker } from './outbound';
import { createConnectorReceiptPoller } from './receipts/connector-poller';
import type { ReceiptPoller } from './receipts/poller';
import { openPostgresStore, openSqliteStore, StoreError, type Store } from './store';
import { startTracePurge } from './traces';
import { createTenantConfig, describeReload, watchConfigFile, type TenantConfig } from './tenant-config';

/** Options of {@link startConnector}. */
export interface StartOptions {
  readonly config: Config;
  /** Logger instance, `false` for none, absent for the default (see buildApp). */
  readonly logger?: FastifyBaseLogger | false;
  readonly now?: () => Date;
  /** Where the French status lines go (default: nowhere). */
  readonly print?: (line: string) => void;
  /**
   * How to re-read the configuration (the options given to loadConfig at start-up): enables the reload of the
   * structure configuration (tenant-config.ts) by the admin API, SIGHUP (main) and, with a file, a file watcher.
   * Absent ⇒ the configuration is fixed until restart.
   */
  readonly reload?: LoadConfigOptions;
  /** [500] Quiet time of the file watcher before reloading, ms. */
  readonly watchDebounceMs?: number;
  /**
   * Production (main: NODE_ENV=production, `npm run start:prod`): the development certificate is refused (server.tls
   * must be given) and an explicitly enabled harness is announced. Default false (`npm start`, tests).
   */
  readonly production?: boolean;
}

/** A listening connector. */
export interface RunningConnector {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** Actual origin, e.g. `https://127.0.0.1:43117` (useful with port 0). */
  readonly url: string;
  readonly port: number;
  /** The live structure configuration (reload(), lastReload()). */
  readonly tenant: TenantConfig;
  /** Stops listening (in-flight requests finish), then closes the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the connector from a validated configuration. Throws ConfigError / StoreError (French messages) when
 * the configured files cannot be used; nothing is left open then.
 */
export async function startConnector(opts: StartOptions): Promise<RunningConnector> {
  const { config } = opts;
  const print = opts.print ?? (() => undefined);
  if (opts.production) checkProduction(config, print);

  const trust = loadTrustSpace(config);
  const dir = await loadDirectory(config, opts.now ? { now: opts.now } : {});
  const tls = await loadTls(config, print);
  const psc = await createPscClient(config, print);
  const store =
    config.store.type === 'postgres' && config.store.postgresUrl
      ? await openPostgresStore({ url: config.store.postgresUrl, ...(opts.now ? { now: opts.now } : {}) })
      : openSqliteStore(config.store.sqlitePath, opts.now ? { now: opts.now } : {});
  // the receipt poller, built after the app (below); the worker asks it to read a mailbox whose sending was interrupted
  let receiptPoller: ReceiptPoller | undefined;
  const pollSoon = (mailbox: string, authorId: string): void => receiptPoller?.pollSoon(mailbox, authorId);
  let worker = await createConnectorWorker(config, store, psc ?? undefined, { pollSoon }).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  const stopPurge = startTracePurge({ store, retentionDays: config.traces.retentionDays });

  // the structure configuration, reloadable; a change of outbound.* rebuilds the worker (the old one finishes)
  const tenant = createTenantConfig({
    initial: { config, trustSpace: trust.trustSpace, directory: dir.directory },
    ...(opts.reload ? { load: opts.reload } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    onReport: (report) => print(describeReload(report)),
  });
  tenant.onChange(async (next, prev) => {
    if (JSON.stringify(next.config.outbound) === JSON.stringify(prev.config.outbound)) return;
    const fresh = await createConnectorWorker(next.config, store, psc ?? undefined, { pollSoon });
    const old = worker;
    worker = fresh;
    fresh?.start();
    await old?.stop();
    print(fresh ? `Envoi MSSanté : relais vers ${next.config.outbound.smtpHost}:${next.config.outbound.smtpPort}.` : 'Envoi MSSanté : aucun serveur de l\'opérateur configuré (outbound.smtpHost) ; les messages restent « en attente ».');
  });
  const stopWatch = opts.reload && config.origin.file ? watchConfigFile(tenant, config.origin.file, opts.watchDebounceMs !== undefined ? { debounceMs: opts.watchDebounceMs } : {}) : () => undefined;

  let app: FastifyInstance;
  try {
    app = buildApp({
      config,
      store,
      trustSpace: trust.trustSpace,
      directory: dir.directory,
      tenant,
      tls,
      ...(psc ? { psc } : {}),
      outbound: { notify: () => worker?.notify() },
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (e) {
    stopWatch();
    stopPurge();
    await store.close();
    throw e;
  }

  const address = app.server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${hostForUrl}:${address.port}`;
  const shown = config.server.port === 0 ? url : config.server.publicUrl;

  print(
    `Liste blanche : ${trust.source === 'bundled' ? 'instantané intégré' : config.trustSpace.listeBlanchePath} — ${trust.trustSpace.size.toLocaleString('fr-FR')} domaines${trust.trustSpace.generatedAt ? `, générée le ${trust.trustSpace.generatedAt}` : ''}.`,
  );
  print(
    `Annuaire : ${dir.source === 'bundled' ? 'exemple intégré (pas le fichier national)' : dir.source === 'empty' ? 'en attente du premier téléchargement' : dir.path} — ${dir.directory.size.toLocaleString('fr-FR')} adresses${dir.fromSnapshot ? ' (index persistant)' : ''}${dir.directory.fhir ? ' ; API FHIR de l\'Annuaire Santé pour les adresses inconnues' : ''}.`,
  );
  for (const w of dir.warnings) print(w);
  dir.directory.startSchedule();
  print(config.store.type === 'postgres' ? `Base : PostgreSQL (schéma ${store.schemaVersion()}).` : `Base : SQLite ${config.store.sqlitePath} (schéma ${store.schemaVersion()}).`);
  worker?.start();
  print(worker ? `Envoi MSSanté : relais vers ${config.outbound.smtpHost}:${config.outbound.smtpPort}.` : 'Envoi MSSanté : aucun serveur de l\'opérateur configuré (outbound.smtpHost) ; les messages restent « en attente ».');
  // DSN / MDN of the messages sent (receipts/poller.ts): with the outbound relay, unless receipts.enabled is false
  receiptPoller = worker ? createConnectorReceiptPoller(config, store, psc ?? undefined, app.log) : undefined;
  const describeReceipts = (c: Config) =>
    `Accusés MSSanté : relevé IMAP sur ${c.receipts.imapHost}:${c.receipts.imapPort} toutes les ${c.receipts.pollSeconds} s (${c.receipts.disposal === 'move' ? `dossier « ${c.receipts.folder} »` : 'marqués lus dans la boîte de réception'}).`;
  receiptPoller?.start();
  if (receiptPoller) print(describeReceipts(config));
  // a change of outbound.* or receipts.* rebuilds the poller (the old one finishes its poll)
  tenant.onChange(async (next, prev) => {
    if (JSON.stringify([next.config.outbound, next.config.receipts]) === JSON.stringify([prev.config.outbound, prev.config.receipts])) return;
    let fresh;
    try {
      fresh = createConnectorReceiptPoller(next.config, store, psc ?? undefined, app.log);
    } catch (e) {
      print(`Accusés MSSanté : relevé non redémarré (${(e as NodeJS.ErrnoException).code ?? 'erreur'}) ; vérifiez outbound.trustAnchorsPath.`);
      return;
    }
    const old = receiptPoller;
    receiptPoller = fresh;
    fresh?.start();
    await old?.stop();
    print(fresh ? describeReceipts(next.config) : 'Accusés MSSanté : relevé arrêté (receipts.enabled ou outbound.smtpHost).');
  });
  print(
    config.harness.enabled
      ? `Connecteur mss-outlook prêt sur ${shown} — harnais de démonstration : ${shown}/harness.html`
      : `Connecteur mss-outlook prêt sur ${shown} — add-in : ${shown}/taskpane.html`,
  );

  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    url,
    port: address.port,
    tenant,
    close() {
      closing ??= (async () => {
        try {
          stopWatch();
          tenant.close();
          dir.directory.close();
          stopPurge();
          await app.close();
          await worker?.stop();
          await receiptPoller?.stop();
        } finally {
          await store.close();
        }
      })();
      return closing;
    },
  };
}

/**
 * The Pro Santé Connect client when `psc` is configured. PSC unreachable at start-up must not stop the connector
 * (SC.MSS/CONF.08: a connection error must not break the other functions): the sign-in routes are then left out
 * and a French line says so; a restart once PSC answers brings them back.
 */
async function createPscClient(config: Config, print: (line: string) => void): Promise<PscClient | undefined> {
  if (!config.psc) return undefined;
  try {
    const { clientCertPath, clientCertPassphrase, ...psc } = config.psc;
    // Espace de Confiance: the structure's IGC-Santé PKCS#12 for mutual TLS at the token endpoint (memory only)
    const clientCertificate = clientCertPath ? { pfx: readFileSync(clientCertPath), ...(clientCertPassphrase !== undefined ? { passphrase: clientCertPassphrase } : {}) } : undefined;
    const client = await PscClient.create({ ...psc, ...(clientCertificate ? { clientCertificate } : {}), logger: false });
    print(`Pro Santé Connect : ${config.psc.issuer} (client ${config.psc.clientId}${clientCertificate ? ', TLS mutuel IGC-Santé' : ''}), connexion depuis le complément (POST /api/psc/session).`);
    return client;
  } catch (e) {
    print(`Pro Santé Connect injoignable au démarrage (${(e as Error).message.slice(0, 120)}) : connexion PSC indisponible jusqu'au prochain redémarrage ; le reste du connecteur fonctionne.`);
    return undefined;
  }
}

async function loadTls(config: Config, print: (line: string) => void): Promise<{ key: string; cert: string }> {
  const { certFile, keyFile } = config.server.tls;
  if (certFile && keyFile) {
    try {
      return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    } catch (e) {
      throw new ConfigError([
        `server.tls : lecture impossible du certificat ou de la clé (${(e as NodeJS.ErrnoException).code ?? 'erreur'}). Corrigez MSS_TLS_CERT / MSS_TLS_KEY ou server.tls.certFile / server.tls.keyFile.`,
      ]);
    }
  }
  const dev = await ensureDevCertificate(config.dataDir);
  if (dev.created) {
    print(`Certificat de développement créé : ${dev.certFile} (localhost, valable jusqu'au ${dev.validTo.toISOString().slice(0, 10)}).`);
    print('Le navigateur et Outlook doivent lui faire confiance : importez-le comme autorité de confiance, ou utilisez server.tls.');
  }
  return { cert: dev.cert, key: dev.key };
}

/**
 * Production start (NODE_ENV=production): a certificate Outlook trusts is mandatory, so the self-signed development
 * certificate is refused before anything is opened; a harness enabled on purpose (harness.enabled / MSS_HARNESS) is
 * said aloud, since it serves demonstration pages next to the add-in.
 */
function checkProduction(config: Config, print: (line: string) => void): void {
  if (!config.server.tls.certFile || !config.server.tls.keyFile) {
    throw new ConfigError([
      'server.tls : en production (NODE_ENV=production), le certificat de développement est refusé : Outlook et les navigateurs ne lui font pas confiance. Donnez le certificat du serveur (chaîne complète, PEM) et sa clé : MSS_TLS_CERT et MSS_TLS_KEY (ou server.tls.certFile et server.tls.keyFile). Pour un essai sur ce poste, lancez npm start.',
    ]);
  }
  if (config.harness.enabled) {
    print('Attention : harnais de démonstration activé en production (harness.enabled / MSS_HARNESS) : /harness.html est servi. Retirez ce réglage sur un serveur ouvert aux utilisateurs.');
  }
}

/** French explanation of a start failure, or undefined for a bug (then the stack trace is useful). */
function explain(e: unknown, config: Config | undefined): string | undefined {
  if (e instanceof ConfigError) return e.message;
  if (e instanceof StoreError) return `Base de données : ${e.message}`;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (config && code === 'EADDRINUSE') {
    return `Le port ${config.server.port} est déjà utilisé sur ${config.server.host}. Arrêtez l'autre programme ou choisissez un autre port (MSS_PORT ou server.port).`;
  }
  if (config && (code === 'EACCES' || code === 'EPERM')) {
    return `Écoute refusée sur ${config.server.host}:${config.server.port} (droits insuffisants). Choisissez un port au-dessus de 1024 (MSS_PORT ou server.port).`;
  }
  if (config && code === 'EADDRNOTAVAIL') {
    return `L'adresse ${config.server.host} n'existe pas sur cette machine. Corrigez MSS_HOST ou server.host.`;
  }
  return undefined;
}

/** Entry point of `node build/src/connector/server.js`. */
export async function main(): Promise<void> {
  let config: Config | undefined;
  let running: RunningConnector;
  try {
    const loadOptions = { env: process.env, cwd: process.cwd() };
    config = loadConfig(loadOptions);
    running = await startConnector({ config, reload: loadOptions, production: process.env.NODE_ENV === 'production', print: (line) => process.stdout.write(`${line}\n`) });
  } catch (e) {
    const text = explain(e, config);
    if (text === undefined) throw e;
    process.stderr.write(`${text}\n`);
    process.exitCode = 1;
    return;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} reçu de nouveau : arrêt immédiat.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`${signal} reçu : arrêt du connecteur…\n`);
    running.close().then(
      () => {
        process.stdout.write('Connecteur arrêté.\n');
        process.exitCode = 0;
      },
      (err: unknown) => {
        process.stderr.write(`Arrêt incomplet : ${(err as Error).message}\n`);
        process.exitCode = 1;
      },
    );
  };
  // a second signal while stopping forces the exit
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // SIGHUP: re-read the structure configuration (tenant-config.ts); the report is printed, nothing stops
  process.on('SIGHUP', () => {
    if (!stopping) void running.tenant.reload('sighup');
  });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`Erreur inattendue au démarrage du connecteur : ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
