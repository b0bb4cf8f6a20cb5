// Runtime: Node (connector, CLI). The connector configuration: parsed ONCE at the edge (server.ts, CLI) from an
// optional JSON file plus MSS_* environment overrides, validated with actionable French messages, then passed down
// as a plain immutable object. No module singleton: callers pass `env` and `cwd` in.

import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { checkGatewayPattern, DEFAULT_POLICY, normaliseDomain, parsePolicy } from '../core';
import type { GatewayPattern, Policy } from '../core';

/** Log levels understood by the Fastify (pino) logger. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Store back-ends: SQLite (embedded default) and PostgreSQL (several connector instances share one queue). */
export const STORE_TYPES = ['sqlite', 'postgres'] as const;
export type StoreType = (typeof STORE_TYPES)[number];

/** The validated connector configuration. Every path is absolute. */
export interface Config {
  readonly server: {
    readonly host: string;
    readonly port: number;
    /** Public HTTPS origin of the connector (no trailing slash), used in the manifest and the ready line. */
    readonly publicUrl: string;
    /** Both set, or both absent (then a development certificate is generated under dataDir). */
    readonly tls: { readonly certFile?: string; readonly keyFile?: string };
  };
  readonly dataDir: string;
  /** `postgresUrl` is set when `type` is `postgres` (never logged: it may hold a password). */
  readonly store: { readonly type: StoreType; readonly sqlitePath: string; readonly postgresUrl?: string };
  /** Microsoft Entra ID tenant whose tokens authenticate POST /api/messages and the admin pages; absent ⇒ sending disabled. */
  readonly entra?: { readonly tenantId: string; readonly audience: string; readonly jwksUrl?: string } & AddinSignInConfig;
  /** Who may send from which MSSanté mailbox (personal and organisational ones). */
  readonly senders: readonly { readonly user: string; readonly mailboxes: readonly string[] }[];
  /** Administrators (Entra oid or preferred_username) allowed to read the traces; empty ⇒ admin pages disabled. */
  readonly admin: { readonly users: readonly string[] };
  /** The durable outbound queue and its worker. `smtpHost` absent ⇒ messages are queued but not relayed. */
  readonly outbound: OutboundConfig;
  /** ANS client traces (SC.MSS/CONF.17-18). */
  readonly traces: { readonly retentionDays: number };
  /** The IMAP receipt poller (DSN / MDN of the messages sent), started with the outbound worker. */
  readonly receipts: ReceiptsConfig;
  /** `listeBlanchePath` absent ⇒ the bundled snapshot of the liste blanche. */
  readonly trustSpace: { readonly listeBlanchePath?: string };
  readonly gateways: readonly GatewayPattern[];
  readonly internalDomains: readonly string[];
  readonly policy: Policy;
  /**
   * `extractionPath` and `url` absent ⇒ the bundled sample directory (assets/directory/annuaire-exemple.txt), or
   * the index last imported with `mss-outlook directory import`. Absent optional fields take the documented defaults.
   */
  readonly directory: DirectoryConfig;
  /** Pro Santé Connect (OIDC) client of the connector; absent ⇒ no PSC sign-in routes (see docs/transport.md). */
  readonly psc?: PscConfig;
  readonly harness: { readonly enabled: boolean };
  readonly addin: { readonly staticDir: string };
  readonly log: { readonly level: LogLevel };
  /** Where the configuration came from (for logs and `--help`). */
  readonly origin: { readonly file?: string; readonly embedded: boolean };
}

/** Settings of the Pro Santé Connect client (see CONFIG_REFERENCE). */
export interface PscConfig {
  /** Issuer (discovery), e.g. the PSC sandbox realm. */
  readonly issuer: string;
  readonly clientId: string;
  /** Client secret: environment only (MSS_PSC_CLIENT_SECRET), never in the file, never logged. */
  readonly clientSecret?: string;
  /** Registered redirect URI: <publicUrl>/psc/callback by default. */
  readonly redirectUri: string;
  readonly scope: string;
  readonly acrValues: string;
  /** Validity of a sign-in ticket of POST /api/psc/session, seconds (default 120). */
  readonly ticketTtlSeconds: number;
  /** Accept /psc/start?user=<id> (identity from the query): development only, refused with NODE_ENV=production. */
  readonly allowUserQuery: boolean;
  /** How often a message waiting for its author's PSC session (PSC_SESSION_REQUIRED) is looked at again, seconds. */
  readonly waitRecheckSeconds: number;
  /** IGC-Santé PKCS#12 for mutual TLS at the PSC token endpoint (Espace de Confiance); passphrase: environment only. */
  readonly clientCertPath?: string;
  readonly clientCertPassphrase?: string;
}

/** Settings of the outbound queue (see CONFIG_REFERENCE). */
export interface OutboundConfig {
  readonly smtpHost?: string;
  readonly smtpPort: number;
  readonly smtpServername?: string;
  /** PEM of the IGC-Santé anchors for the operator connections. */
  readonly trustAnchorsPath?: string;
  readonly concurrency: number;
  readonly leaseSeconds: number;
  /** How long a DSN may follow an interrupted sending before the message is sent again (outbound/worker.ts); 0: at once. */
  readonly reconcileSeconds: number;
  readonly retryBaseSeconds: number;
  readonly retryMaxSeconds: number;
  readonly maxAttempts: number;
  /** Value of X-MSS-NIL (référence produit, ECO.2.4.3). */
  readonly productReference?: string;
  /** IGC-Santé CRL download URLs, added to the CRL distribution points of the anchors (transport/crl-scheduler.ts). */
  readonly crlUrls: readonly string[];
  /** Interval of the scheduled CRL downloads, hours (default 6, ±10 % jitter). */
  readonly crlRefreshHours: number;
  /** The operator's message size limit, in MB (absent: the core's default, 10 MB). */
  readonly maxMessageMegabytes?: number;
  /** OID of the sending system: SubmissionSet sourceId of the IHE_XDM packages (absent: a 2.25.<uuid> OID per package). */
  readonly xdmSourceId?: string;
}

/** Settings of the national directory (see CONFIG_REFERENCE). */
export interface DirectoryConfig {
  /** Extraction file, plain text or zip. */
  readonly extractionPath?: string;
  /** Download URL of the extraction (zip or text), refreshed daily. Exclusive with extractionPath. */
  readonly url?: string;
  /** Expected SHA-256 (hex) of the downloaded file; checked when given. */
  readonly sha256?: string;
  /** Daily refresh time "HH:MM" (local time), or undefined for none. Default "05:00" when a source is configured. */
  readonly refreshTime?: string;
  /** The structure's correspondence table (CSV: ordinary address ; MSSanté address). */
  readonly mappingCsvPath?: string;
  /** Folder of the persisted index (default <dataDir>/directory). */
  readonly snapshotDir?: string;
  /** Annuaire Santé FHIR API: used only when an API key is given (environment only). */
  readonly fhir?: { readonly baseUrl: string; readonly apiKey?: string; readonly cacheTtlSeconds: number };
}

/** Thrown by {@link loadConfig} (and by the resource loaders) with EVERY problem found, each in French. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Configuration invalide :\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of the JSON configuration file; defaults to `env.MSS_CONFIG`; absent ⇒ the embedded configuration. */
  readonly file?: string;
  /** The environment (the caller passes `process.env`; tests pass a plain object). */
  readonly env: Record<string, string | undefined>;
  /** Base of relative paths given by the environment or the defaults; defaults to `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Command-line overrides, stronger than the environment: dotted key → value and the option that gave it
   * (named in error messages), e.g. `{ 'trustSpace.listeBlanchePath': { value: 'lb.xml', option: '--liste-blanche' } }`.
   */
  readonly overrides?: Readonly<Record<string, { readonly value: unknown; readonly option: string }>>;
}

/** The demonstration gateway of the embedded configuration (M2A-DAC 75 Ouest, webinar ESSMS of 21/11/2023). */
export const DEMO_GATEWAYS: readonly GatewayPattern[] = [
  {
    id: 'dsp-paris',
    label: 'Passerelle Exchange – Medimail (exemple M2A-DAC)',
    domain: 'dsp.paris',
    localTemplate: '{local}={domain}',
  },
];

/** The demonstration internal domain of the embedded configuration (M2A-DAC 75 Ouest's Exchange domain). */
export const DEMO_INTERNAL_DOMAINS: readonly string[] = ['m2a.paris'];

/** One documented setting. */
export interface ConfigReferenceEntry {
  /** Dotted key in the JSON file. */
  readonly key: string;
  /** Environment variable overriding it, if any. */
  readonly env?: string;
  readonly type: string;
  /** Default value, as text. */
  readonly default: string;
  /** French description. */
  readonly description: string;
}

/**
 * The configuration reference, for the README and `mss-outlook help`. Relative paths are resolved against the
 * folder of the configuration file when they come from the file, against the working directory otherwise.
 * An environment variable set to the empty string counts as unset.
 */
export const CONFIG_REFERENCE: readonly ConfigReferenceEntry[] = [
  { key: '(fichier)', env: 'MSS_CONFIG', type: 'chemin', default: 'aucun (configuration intégrée)', description: 'Fichier de configuration JSON. Sans fichier, la configuration intégrée de démonstration s\'applique.' },
  { key: 'server.host', env: 'MSS_HOST', type: 'nom d\'hôte ou adresse IP', default: 'localhost', description: 'Adresse d\'écoute du connecteur.' },
  { key: 'server.port', env: 'MSS_PORT', type: 'entier 1–65535', default: '3000', description: 'Port HTTPS d\'écoute.' },
  { key: 'server.publicUrl', env: 'MSS_PUBLIC_URL', type: 'URL https://', default: 'https://localhost:<port>', description: 'Adresse publique du connecteur (celle du manifeste de l\'add-in).' },
  { key: 'server.tls.certFile', env: 'MSS_TLS_CERT', type: 'chemin (PEM)', default: 'absent : certificat de développement généré sous <dataDir>/tls au premier démarrage (refusé si NODE_ENV=production : npm run start:prod)', description: 'Certificat TLS du serveur. À donner avec server.tls.keyFile.' },
  { key: 'server.tls.keyFile', env: 'MSS_TLS_KEY', type: 'chemin (PEM)', default: 'absent (voir server.tls.certFile)', description: 'Clé privée TLS du serveur. À donner avec server.tls.certFile.' },
  { key: 'dataDir', env: 'MSS_DATA_DIR', type: 'chemin', default: '.data', description: 'Dossier des données locales (base SQLite, certificat de développement). Jamais versionné.' },
  { key: 'store.type', type: '"sqlite" | "postgres"', default: 'sqlite', description: 'Type de base. « postgres » : plusieurs instances du connecteur partagent la même file d\'envoi (donner store.postgresUrl).' },
  { key: 'store.sqlitePath', type: 'chemin', default: '<dataDir>/mss-outlook.sqlite', description: 'Fichier de la base SQLite (créé au besoin, journal WAL).' },
  { key: 'store.postgresUrl', env: 'MSS_POSTGRES_URL', type: 'URL postgres://', default: 'absent', description: 'Base PostgreSQL quand store.type vaut « postgres » (ex. postgres://mss@db.local:5432/mss_outlook). Un mot de passe éventuel : par la variable d\'environnement ; jamais journalisé.' },
  { key: 'entra.tenantId', env: 'MSS_ENTRA_TENANT_ID', type: 'GUID', default: 'absent : envoi en MSSanté et pages d\'administration désactivés', description: 'Locataire Microsoft Entra ID dont les jetons (Authorization: Bearer) authentifient l\'add-in. À donner avec entra.audience.' },
  { key: 'entra.audience', env: 'MSS_ENTRA_AUDIENCE', type: 'texte', default: 'absent', description: 'Audience attendue des jetons (URI d\'ID d\'application du connecteur, ex. api://mss.exemple.fr/<id>, ou son identifiant client).' },
  { key: 'entra.jwksUrl', env: 'MSS_ENTRA_JWKS_URL', type: 'URL https://', default: 'https://login.microsoftonline.com/<tenantId>/discovery/v2.0/keys', description: 'Clés de signature du locataire (à changer seulement pour un cloud national ou un test).' },
  { key: 'entra.addinClientId', env: 'MSS_ENTRA_ADDIN_CLIENT_ID', type: 'GUID', default: 'absent : le volet ne peut pas connecter l\'utilisateur (il l\'explique)', description: 'Identifiant client (application) de l\'inscription Entra de l\'add-in : donné au volet par GET /api/auth/config pour sa connexion MSAL (authentification d\'application imbriquée).' },
  { key: 'entra.scope', env: 'MSS_ENTRA_SCOPE', type: 'texte', default: '<entra.audience>/access_as_user (préfixe api:// ajouté à un identifiant client nu)', description: 'Portée de l\'API du connecteur demandée par le volet (ex. api://mss.exemple.fr/<id>/access_as_user).' },
  { key: 'entra.authority', env: 'MSS_ENTRA_AUTHORITY', type: 'URL https://', default: 'https://login.microsoftonline.com/<tenantId>', description: 'Autorité de connexion donnée au volet (à changer seulement pour un cloud national ou un fournisseur d\'identité de test).' },
  { key: 'entra.dialogUrl', env: 'MSS_ENTRA_DIALOG_URL', type: 'chemin (/...) ou URL https://', default: 'absent : pas de repli par la boîte de dialogue Office', description: 'Page de connexion ouverte dans la boîte de dialogue Office quand Outlook ne fournit pas le jeton (repli), même origine que le volet.' },
  { key: 'senders', type: 'liste de { user, mailboxes }', default: '[] (personne ne peut envoyer)', description: 'Qui peut envoyer depuis quelle BAL MSSanté : user = oid ou preferred_username Entra ; mailboxes = BAL personnelles et organisationnelles de cette personne.' },
  { key: 'admin.users', type: 'liste d\'oid ou de preferred_username', default: '[] : pages d\'administration désactivées', description: 'Administrateurs autorisés à consulter et exporter les traces (même jeton Entra que l\'add-in).' },
  { key: 'outbound.smtpHost', env: 'MSS_SMTP_HOST', type: 'nom d\'hôte', default: 'absent : messages mis en file mais pas relayés (« en attente »)', description: 'Serveur de soumission SMTP de l\'opérateur MSSanté.' },
  { key: 'outbound.smtpPort', env: 'MSS_SMTP_PORT', type: 'entier 1–65535', default: '587', description: 'Port de soumission (STARTTLS obligatoire).' },
  { key: 'outbound.smtpServername', type: 'nom d\'hôte', default: 'outbound.smtpHost', description: 'Nom attendu dans le certificat du serveur de l\'opérateur.' },
  { key: 'outbound.trustAnchorsPath', env: 'MSS_IGC_SANTE_ANCHORS', type: 'chemin (PEM)', default: 'absent (obligatoire avec outbound.smtpHost)', description: 'Autorités IGC-Santé (racine et intermédiaires) : les seules reconnues pour le serveur de l\'opérateur.' },
  { key: 'outbound.concurrency', type: 'entier 1–64', default: '4', description: 'Messages relayés en parallèle par instance.' },
  { key: 'outbound.leaseSeconds', type: 'entier ≥ 15', default: '300', description: 'Bail d\'un message en cours d\'envoi, renouvelé tant que l\'envoi progresse : passé ce délai sans nouvelles (instance arrêtée), une autre instance le reprend.' },
  { key: 'outbound.reconcileSeconds', type: 'entier (secondes) 0–86400', default: '900', description: 'Envoi interrompu (instance arrêtée pendant l\'envoi) d\'une BAL dont les accusés sont relevés : le message n\'est renvoyé que si aucun accusé de l\'opérateur (DSN) n\'est arrivé ce délai après l\'interruption (sinon il est déjà chez l\'opérateur : pas de doublon). 0 : renvoi immédiat.' },
  { key: 'outbound.retryBaseSeconds', type: 'entier', default: '30', description: 'Premier délai avant nouvel essai après une erreur temporaire (doublé à chaque essai, avec une part aléatoire).' },
  { key: 'outbound.retryMaxSeconds', type: 'entier', default: '3600', description: 'Délai maximal entre deux essais.' },
  { key: 'outbound.maxAttempts', type: 'entier 1–100', default: '12', description: 'Nombre d\'essais avant d\'abandonner (le message passe en échec, expliqué).' },
  { key: 'outbound.productReference', env: 'MSS_PRODUCT_REFERENCE', type: 'texte', default: 'absent', description: 'Référence produit (convergence.esante.gouv.fr) mise dans l\'en-tête X-MSS-NIL de chaque message (ECO.2.4.3).' },
  { key: 'outbound.crlUrls', env: 'MSS_CRL_URLS', type: 'liste d\'URL http(s) (variable : séparées par des virgules)', default: '[] : seulement les points de distribution (CRL DP) des autorités IGC-Santé', description: 'Adresses de téléchargement des CRL IGC-Santé (ex. CRL de l\'AC IGC-SANTE ELEMENTAIRE ORGANISATIONS), ajoutées aux points de distribution lus dans les autorités. La dernière CRL valide est conservée si un téléchargement échoue (SC.MSS/CONF.22).' },
  { key: 'outbound.maxMessageMegabytes', type: 'entier (Mo) 1–100', default: '10 (limite commune des opérateurs ; Mon Espace Santé : 25 Mo côté patient, appliqué en plus)', description: 'Taille maximale d\'un message acceptée par votre opérateur MSSanté (pièces jointes encodées comprises) : au-delà, l\'envoi est refusé tout de suite avec un message clair (MESSAGE_TOO_LARGE).' },
  { key: 'outbound.xdmSourceId', type: 'OID (chiffres et points)', default: 'absent : un OID 2.25.<uuid> par paquet', description: 'OID du système émetteur mis comme sourceId du lot (SubmissionSet) dans METADATA.XML des paquets IHE_XDM.zip (celui de la structure, ex. 1.2.250.1.213.1.4.x attribué par l\'ANS).' },
  { key: 'outbound.crlRefreshHours', env: 'MSS_CRL_REFRESH_HOURS', type: 'entier (heures) 1–168', default: '6', description: 'Intervalle des téléchargements de CRL (± 10 % au hasard) ; après un échec, nouvel essai au bout de 15 minutes.' },
  { key: 'traces.retentionDays', env: 'MSS_TRACES_RETENTION_DAYS', type: 'entier (jours)', default: '183 (6 mois, Référentiel #2 §5)', description: 'Durée de conservation des traces (FAQ ANS 10217) ; les plus anciennes sont purgées chaque jour.' },
  { key: 'receipts.enabled', env: 'MSS_RECEIPTS', type: 'booléen', default: 'true (actif dès que l\'envoi vers l\'opérateur est configuré)', description: 'Relève les accusés de réception (DSN) et de lecture (MDN) dans la boîte de réception IMAP des BAL d\'envoi, et met à jour l\'état des messages envoyés.' },
  { key: 'receipts.imapHost', env: 'MSS_IMAP_HOST', type: 'nom d\'hôte', default: 'outbound.smtpHost', description: 'Serveur IMAP de l\'opérateur MSSanté (STARTTLS, mêmes autorités IGC-Santé que l\'envoi).' },
  { key: 'receipts.imapPort', env: 'MSS_IMAP_PORT', type: 'entier 1–65535', default: '143', description: 'Port IMAP (STARTTLS obligatoire).' },
  { key: 'receipts.imapServername', type: 'nom d\'hôte', default: 'receipts.imapHost (ou outbound.smtpServername quand l\'hôte est celui de l\'envoi)', description: 'Nom attendu dans le certificat du serveur IMAP de l\'opérateur.' },
  { key: 'receipts.pollSeconds', env: 'MSS_RECEIPTS_POLL_SECONDS', type: 'entier (secondes) 10–3600', default: '60', description: 'Intervalle entre deux relevés des accusés ; une BAL en erreur est réessayée plus tard (délai doublé à chaque échec, 30 minutes au plus).' },
  { key: 'receipts.folder', type: 'nom de dossier IMAP', default: 'Accusés MSSanté', description: 'Dossier où sont rangés les accusés rattachés à un message envoyé (créé au besoin). Les autres messages ne sont jamais touchés.' },
  { key: 'receipts.disposal', type: '"move" | "flag"', default: 'move', description: 'Que faire d\'un accusé rattaché : « move » le range dans receipts.folder, « flag » le marque lu dans la boîte de réception.' },
  { key: 'receipts.sinceDays', type: 'entier (jours) 1–90', default: '14', description: 'Les messages remis à l\'opérateur depuis ce nombre de jours attendent leurs accusés ; au premier relevé d\'une BAL, seuls les accusés non lus de cette période sont lus.' },
  { key: 'trustSpace.listeBlanchePath', env: 'MSS_LISTE_BLANCHE', type: 'chemin (XML)', default: 'absent : liste blanche intégrée (instantané)', description: 'Liste blanche de l\'Espace de Confiance MSSanté (listeblanchemssante.xml).' },
  { key: 'gateways', type: 'liste de { id, label?, domain, localTemplate? }', default: '[] ; configuration intégrée : exemple de démonstration dsp-paris (domaine dsp.paris, modèle {local}={domain})', description: 'Passerelles (ex. Exchange ↔ opérateur). localTemplate contient {local} et {domain} et permet de retrouver l\'adresse MSSanté réelle.' },
  { key: 'internalDomains', type: 'liste de domaines', default: '[] ; configuration intégrée : exemple de démonstration m2a.paris', description: 'Domaines propres à la structure (hors MSSanté).' },
  { key: 'policy', type: 'objet { healthDataToNonMssante, mixedRecipients, gatewayRecipient, patientWithoutQualifiedIns, connectorDown } ∈ off | warn | block', default: 'politique par défaut du cœur (DEFAULT_POLICY ; connectorDown : warn)', description: 'Politique d\'envoi appliquée par l\'add-in et le connecteur. connectorDown : que faire à l\'envoi quand l\'add-in ne joint pas le connecteur (les destinataires sont alors vérifiés avec la liste blanche intégrée) ; warn = avertir, jamais de passage silencieux.' },
  { key: 'directory.extractionPath', env: 'MSS_DIRECTORY', type: 'chemin (.txt ou .zip)', default: 'absent : index importé par « mss-outlook directory import », sinon petit annuaire d\'exemple (assets/directory/annuaire-exemple.txt)', description: 'Fichier Extraction_Correspondance_MSSante de l\'Annuaire Santé (texte ou zip officiel). Relu s\'il change ; l\'index est conservé sous directory.snapshotDir pour un redémarrage rapide.' },
  { key: 'directory.url', env: 'MSS_DIRECTORY_URL', type: 'URL https://', default: 'absent', description: 'Adresse de téléchargement de l\'extraction (ex. https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/Extraction_Correspondance_MSSante). Exclusif avec directory.extractionPath.' },
  { key: 'directory.sha256', env: 'MSS_DIRECTORY_SHA256', type: '64 chiffres hexadécimaux', default: 'absent (taille seule vérifiée)', description: 'Empreinte SHA-256 attendue du fichier téléchargé ; un fichier différent est refusé et l\'index précédent reste en service.' },
  { key: 'directory.refreshTime', env: 'MSS_DIRECTORY_REFRESH', type: '« HH:MM » ou « off »', default: '05:00 si une source est configurée', description: 'Heure locale du rafraîchissement quotidien de l\'annuaire (remplacement atomique : l\'ancien index sert jusqu\'au bout).' },
  { key: 'directory.mappingCsvPath', env: 'MSS_DIRECTORY_MAPPING', type: 'chemin (CSV)', default: 'absent', description: 'Table de correspondance de la structure : adresse ordinaire ; adresse MSSanté (une par ligne), proposée en premier dans « Vous vouliez dire ».' },
  { key: 'directory.snapshotDir', type: 'chemin', default: '<dataDir>/directory', description: 'Dossier de l\'index persistant de l\'annuaire (redémarrage rapide).' },
  { key: 'directory.fhir.baseUrl', env: 'MSS_FHIR_BASE_URL', type: 'URL https://', default: 'https://gateway.api.esante.gouv.fr/fhir/v2', description: 'API FHIR de l\'Annuaire Santé (v2), interrogée pour les adresses absentes de l\'index local.' },
  { key: 'directory.fhir.apiKey', env: 'MSS_FHIR_API_KEY', type: 'texte (secret)', default: 'absent : API FHIR non utilisée', description: 'Clé ESANTE-API-KEY (portail Gravitee de l\'ANS). Uniquement par variable d\'environnement ; jamais journalisée.' },
  { key: 'directory.fhir.cacheTtlSeconds', env: 'MSS_FHIR_CACHE_TTL', type: 'entier (secondes)', default: '86400', description: 'Durée de conservation des réponses de l\'API FHIR (quota : 17 appels par seconde).' },
  { key: 'psc.issuer', env: 'MSS_PSC_ISSUER', type: 'URL https://', default: 'absent : connexion Pro Santé Connect désactivée', description: 'Émetteur OIDC de Pro Santé Connect (découverte /.well-known/openid-configuration), ex. le bac à sable « BAS ». À donner avec psc.clientId.' },
  { key: 'psc.clientId', env: 'MSS_PSC_CLIENT_ID', type: 'texte', default: 'absent', description: 'Identifiant du client OIDC déclaré auprès de Pro Santé Connect.' },
  { key: 'psc.clientSecret', env: 'MSS_PSC_CLIENT_SECRET', type: 'texte (secret)', default: 'absent : client public (PKCE seul)', description: 'Secret du client. Uniquement par variable d\'environnement ; jamais journalisé ni écrit sur disque.' },
  { key: 'psc.redirectUri', env: 'MSS_PSC_REDIRECT_URI', type: 'URL https://', default: '<server.publicUrl>/psc/callback', description: 'Adresse de retour déclarée auprès de Pro Santé Connect.' },
  { key: 'psc.scope', type: 'texte', default: 'openid scope_all', description: 'Portées demandées à Pro Santé Connect.' },
  { key: 'psc.acrValues', type: 'texte', default: 'eidas1', description: 'Niveau d\'authentification demandé (acr_values) ; vide pour ne pas l\'envoyer.' },
  { key: 'psc.ticketTtlSeconds', env: 'MSS_PSC_TICKET_TTL', type: 'entier (secondes) 10–900', default: '120', description: 'Durée de validité du lien de connexion Pro Santé Connect remis au complément (POST /api/psc/session) : usage unique, lié à l\'utilisateur Entra.' },
  { key: 'psc.allowUserQuery', env: 'MSS_PSC_ALLOW_USER_QUERY', type: 'booléen', default: 'false', description: 'Développement seulement : accepte /psc/start?user=<id> (l\'identité vient de l\'adresse, sans vérification). Refusé quand NODE_ENV=production.' },
  { key: 'psc.waitRecheckSeconds', type: 'entier (secondes) 1–3600', default: '15', description: 'Un message d\'une BAL personnelle ou organisationnelle dont l\'auteur n\'a pas de session Pro Santé Connect reste « en attente » (PSC_SESSION_REQUIRED, sans consommer d\'essai) et est réexaminé à cet intervalle.' },
  { key: 'psc.clientCertPath', env: 'MSS_PSC_CLIENT_CERT', type: 'chemin (PKCS#12)', default: 'absent : authentification du client par secret (Espace Communautaire)', description: 'Certificat IGC-Santé de la structure présenté en TLS mutuel à Pro Santé Connect (tls_client_auth, obligatoire dans l\'Espace de Confiance). Exclusif avec psc.clientSecret ; mot de passe par MSS_PSC_CLIENT_CERT_PASSPHRASE uniquement.' },
  { key: 'psc.clientCertPassphrase', env: 'MSS_PSC_CLIENT_CERT_PASSPHRASE', type: 'texte (secret)', default: 'absent : PKCS#12 sans mot de passe', description: 'Mot de passe du PKCS#12 de psc.clientCertPath. Uniquement par variable d\'environnement ; jamais journalisé ni écrit sur disque.' },
  { key: 'harness.enabled', env: 'MSS_HARNESS', type: 'booléen', default: 'true, sauf si NODE_ENV=production', description: 'Sert le harnais de démonstration (/harness.html).' },
  { key: 'addin.staticDir', type: 'chemin', default: 'dist', description: 'Dossier de l\'add-in construit par webpack (npm run build:web).' },
  { key: 'log.level', env: 'MSS_LOG_LEVEL', type: LOG_LEVELS.join(' | '), default: 'info', description: 'Niveau de journalisation (jamais de contenu de message ni d\'adresse complète).' },
];

/** Renders {@link CONFIG_REFERENCE} as a Markdown table (README). */
export function configReferenceMarkdown(): string {
  const rows = CONFIG_REFERENCE.map(
    (e) => `| \`${e.key}\` | ${e.env ? `\`${e.env}\`` : ''} | ${e.type} | ${e.default} | ${e.description} |`,
  );
  return ['| Réglage | Variable | Type | Défaut | Rôle |', '|---|---|---|---|---|', ...rows].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Implementation

type Source =
  | { readonly kind: 'cli'; readonly option: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'default' };

interface Found {
  readonly value: unknown;
  readonly source: Source;
}

/** Keys allowed in the file; `true` = a leaf (its value is checked by its own validator). */
type Shape = { readonly [key: string]: true | Shape };
const FILE_SHAPE: Shape = {
  $schema: true,
  $comment: true,
  server: { host: true, port: true, publicUrl: true, tls: { certFile: true, keyFile: true } },
  dataDir: true,
  store: { type: true, sqlitePath: true, postgresUrl: true },
  entra: { tenantId: true, audience: true, jwksUrl: true, addinClientId: true, scope: true, authority: true, dialogUrl: true },
  senders: true,
  admin: { users: true },
  outbound: { smtpHost: true, smtpPort: true, smtpServername: true, trustAnchorsPath: true, concurrency: true, leaseSeconds: true, reconcileSeconds: true, retryBaseSeconds: true, retryMaxSeconds: true, maxAttempts: true, productReference: true, crlUrls: true, crlRefreshHours: true, maxMessageMegabytes: true, xdmSourceId: true },
  traces: { retentionDays: true },
  receipts: { enabled: true, imapHost: true, imapPort: true, imapServername: true, pollSeconds: true, folder: true, disposal: true, sinceDays: true },
  trustSpace: { listeBlanchePath: true },
  gateways: true,
  internalDomains: true,
  policy: true,
  directory: { extractionPath: true, url: true, sha256: true, refreshTime: true, mappingCsvPath: true, snapshotDir: true, fhir: { baseUrl: true, cacheTtlSeconds: true } },
  psc: { issuer: true, clientId: true, clientSecret: true, redirectUri: true, scope: true, acrValues: true, ticketTtlSeconds: true, allowUserQuery: true, waitRecheckSeconds: true, clientCertPath: true, clientCertPassphrase: true },
  harness: { enabled: true },
  addin: { staticDir: true },
  log: { level: true },
};

const GATEWAY_KEYS = ['id', 'label', 'domain', 'localTemplate'] as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Collects problems; reads a setting from the environment first, then the file, else reports it absent. */
class Reader {
  readonly problems: string[] = [];

  constructor(
    private readonly fileObject: Record<string, unknown> | undefined,
    private readonly filePath: string | undefined,
    private readonly env: Record<string, string | undefined>,
    readonly cwd: string,
    private readonly overrides: LoadConfigOptions['overrides'] = {},
  ) {}

  get(key: string, envName?: string): Found | undefined {
    const o = this.overrides?.[key];
    if (o !== undefined) return { value: o.value, source: { kind: 'cli', option: o.option } };
    if (envName !== undefined) {
      const v = this.env[envName];
      if (v !== undefined && v !== '') return { value: v, source: { kind: 'env', name: envName } };
    }
    if (this.fileObject && this.filePath) {
      let node: unknown = this.fileObject;
      for (const part of key.split('.')) {
        if (!isPlainObject(node) || !(part in node)) return undefined;
        node = node[part];
      }
      if (node === undefined) return undefined;
      return { value: node, source: { kind: 'file', file: this.filePath } };
    }
    return undefined;
  }

  /** "Corrigez ..." sentence naming where the value came from. */
  fix(key: string, source: Source): string {
    switch (source.kind) {
      case 'cli':
        return `Corrigez l'option ${source.option}.`;
      case 'env':
        return `Corrigez la variable d'environnement ${source.name} (ou retirez-la).`;
      case 'file':
        return `Corrigez ${key} dans le fichier de configuration « ${source.file} ».`;
      case 'default':
        return `Corrigez ${key}.`;
    }
  }

  problem(key: string, what: string, found: Found, extraFix?: string): void {
    this.problems.push(`${key} : ${what} (reçu « ${show(found.value)} »). ${this.fix(key, found.source)}${extraFix ? ` ${extraFix}` : ''}`);
  }

  /** Resolves a path against the config file's folder (file values) or the working directory. */
  resolvePath(value: string, source: Source): string {
    if (isAbsolute(value)) return value;
    const base = source.kind === 'file' ? dirname(source.file) : this.cwd;
    return resolve(base, value);
  }

  checkShape(obj: Record<string, unknown>, shape: Shape, prefix: string): void {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const sub = shape[k];
      if (sub === undefined) {
        this.problems.push(
          `${key} : réglage inconnu. Supprimez-le ou corrigez son nom dans le fichier de configuration « ${this.filePath} » (réglages possibles : ${Object.keys(shape).filter((s) => !s.startsWith('$')).join(', ')}).`,
        );
      } else if (sub !== true) {
        if (!isPlainObject(v)) {
          this.problems.push(
            `${key} : doit être un objet JSON (reçu « ${show(v)} »). Corrigez ${key} dans le fichier de configuration « ${this.filePath} ».`,
          );
        } else {
          this.checkShape(v, sub, key);
        }
      }
    }
  }
}

const HOSTNAME_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

function isValidHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  if (host.length > 253) return false;
  return host.split('.').every((label) => HOSTNAME_LABEL.test(label));
}

/**
 * Validates a domain name with the core's normaliser (IDN accepted, converted to its ASCII form); returns undefined
 * when invalid. With `wildcard`, a leading `*.` is allowed (gateway patterns on sub-domains).
 */
export function normaliseConfigDomain(value: string, wildcard = false): string | undefined {
  const v = value.trim();
  if (wildcard && v.startsWith('*.')) {
    const rest = normaliseDomain(v.slice(2));
    return rest === undefined ? undefined : `*.${rest}`;
  }
  return normaliseDomain(v);
}

function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'oui', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'non', 'no', 'off'].includes(v)) return false;
  return undefined;
}

function readPathSetting(r: Reader, key: string, envName: string | undefined): { path: string; found: Found } | undefined {
  const found = r.get(key, envName);
  if (!found) return undefined;
  if (typeof found.value !== 'string' || found.value.trim() === '') {
    r.problem(key, 'doit être un chemin de fichier ou de dossier (texte non vide)', found);
    return undefined;
  }
  return { path: r.resolvePath(found.value.trim(), found.source), found };
}

function checkReadableFile(r: Reader, key: string, entry: { path: string; found: Found }, extraFix: string): boolean {
  try {
    if (!statSync(entry.path).isFile()) {
      r.problem(key, `« ${entry.path} » n'est pas un fichier`, entry.found, extraFix);
      return false;
    }
    accessSync(entry.path, fsConstants.R_OK);
    return true;
  } catch {
    const full = entry.path !== entry.found.value ? ` (chemin complet « ${entry.path} »)` : '';
    r.problem(key, `fichier introuvable ou illisible${full}`, entry.found, extraFix);
    return false;
  }
}

function validateGateways(r: Reader, found: Found): GatewayPattern[] {
  const key = 'gateways';
  if (!Array.isArray(found.value)) {
    r.problem(key, 'doit être une liste (tableau JSON) de passerelles { id, label?, domain, localTemplate? }', found);
    return [];
  }
  const result: GatewayPattern[] = [];
  const ids = new Set<string>();
  found.value.forEach((item: unknown, i: number) => {
    const at = `${key}[${i}]`;
    const itemFound: Found = { value: item, source: found.source };
    if (!isPlainObject(item)) {
      r.problem(at, 'doit être un objet { id, label?, domain, localTemplate? }', itemFound);
      return;
    }
    let ok = true;
    for (const k of Object.keys(item)) {
      if (!(GATEWAY_KEYS as readonly string[]).includes(k)) {
        r.problem(`${at}.${k}`, `réglage inconnu (réglages possibles : ${GATEWAY_KEYS.join(', ')})`, { value: item[k], source: found.source });
        ok = false;
      }
    }
    const { id, label, domain, localTemplate } = item;
    if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(id)) {
      r.problem(`${at}.id`, 'doit être un identifiant court (lettres, chiffres, - ou _ ; 64 caractères au plus)', { value: id, source: found.source });
      ok = false;
    } else if (ids.has(id.toLowerCase())) {
      r.problem(`${at}.id`, 'identifiant déjà utilisé par une autre passerelle ; chaque id doit être unique', { value: id, source: found.source });
      ok = false;
    } else {
      ids.add(id.toLowerCase());
    }
    if (label !== undefined && (typeof label !== 'string' || label.trim() === '' || label.length > 200)) {
      r.problem(`${at}.label`, 'doit être un libellé (texte non vide, 200 caractères au plus) ou être omis', { value: label, source: found.source });
      ok = false;
    }
    const normDomain = typeof domain === 'string' ? normaliseConfigDomain(domain, true) : undefined;
    if (normDomain === undefined) {
      r.problem(`${at}.domain`, 'doit être un nom de domaine valide (ex. « dsp.paris » ou « *.passerelle.exemple.fr »)', { value: domain, source: found.source });
      ok = false;
    }
    if (localTemplate !== undefined) {
      const problem = checkLocalTemplate(localTemplate);
      if (problem) {
        r.problem(`${at}.localTemplate`, problem, { value: localTemplate, source: found.source });
        ok = false;
      }
    }
    if (ok && typeof id === 'string' && normDomain !== undefined) {
      const pattern: GatewayPattern = {
        id,
        ...(typeof label === 'string' ? { label: label.trim() } : {}),
        domain: normDomain,
        ...(typeof localTemplate === 'string' ? { localTemplate } : {}),
      };
      // the core has the last word: what it would refuse in createClassifier is refused here, at the edge
      const coreErrors = checkGatewayPattern(pattern);
      for (const e of coreErrors) r.problems.push(`${at} : ${e} ${r.fix(at, found.source)}`);
      if (coreErrors.length === 0) result.push(pattern);
    }
  });
  return result;
}

/** Returns a French problem description, or undefined when the template is usable. */
function checkLocalTemplate(t: unknown): string | undefined {
  const expected = 'doit contenir exactement une fois {local} et une fois {domain}, séparés par au moins un caractère (ex. « {local}={domain} »)';
  if (typeof t !== 'string' || t.length === 0 || t.length > 200) return expected;
  const count = (s: string) => t.split(s).length - 1;
  if (count('{local}') !== 1 || count('{domain}') !== 1) return expected;
  const placeholders = t.match(/\{[^}]*\}/g) ?? [];
  if (placeholders.some((p) => p !== '{local}' && p !== '{domain}')) {
    return `ne peut contenir que les marques {local} et {domain} ; ${expected}`;
  }
  if (t.includes('{local}{domain}') || t.includes('{domain}{local}')) return expected;
  if (/[@\s"<>]/.test(t)) return 'ne doit contenir ni @, ni espace, ni guillemet, ni < > (c\'est la partie locale d\'une adresse)';
  return undefined;
}

function validateInternalDomains(r: Reader, found: Found): string[] {
  const key = 'internalDomains';
  if (!Array.isArray(found.value)) {
    r.problem(key, 'doit être une liste (tableau JSON) de noms de domaine, ex. ["m2a.paris"]', found);
    return [];
  }
  const result: string[] = [];
  found.value.forEach((d: unknown, i: number) => {
    const norm = typeof d === 'string' ? normaliseConfigDomain(d) : undefined;
    if (norm === undefined) {
      r.problem(`${key}[${i}]`, 'doit être un nom de domaine valide (ex. « m2a.paris »)', { value: d, source: found.source });
    } else if (!result.includes(norm)) {
      result.push(norm);
    }
  });
  return result;
}

/**
 * Loads and validates the configuration: the JSON file (`opts.file` or `MSS_CONFIG`) or, without a file, the
 * embedded configuration (demo gateway `dsp.paris`, internal domain `m2a.paris`); then the MSS_* environment
 * overrides. Throws a {@link ConfigError} listing every problem; never returns a half-valid configuration.
 */
export function loadConfig(opts: LoadConfigOptions): Config {
  const env = opts.env;
  const cwd = opts.cwd ?? process.cwd();
  const fileArg = opts.file ?? (env.MSS_CONFIG ? env.MSS_CONFIG : undefined);

  let fileObject: Record<string, unknown> | undefined;
  let filePath: string | undefined;
  if (fileArg !== undefined) {
    filePath = resolve(cwd, fileArg);
    const how = opts.file !== undefined ? 'l\'option --config' : 'la variable d\'environnement MSS_CONFIG';
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch {
      throw new ConfigError([
        `Fichier de configuration introuvable ou illisible : « ${filePath} ». Corrigez ${how} ou créez ce fichier (JSON).`,
      ]);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new ConfigError([
        `Fichier de configuration « ${filePath} » : JSON invalide (${(e as Error).message}). Corrigez la syntaxe du fichier.`,
      ]);
    }
    if (!isPlainObject(parsed)) {
      throw new ConfigError([
        `Fichier de configuration « ${filePath} » : doit contenir un objet JSON { ... } (reçu « ${show(parsed)} »).`,
      ]);
    }
    fileObject = parsed;
  }

  const r = new Reader(fileObject, filePath, env, cwd, opts.overrides);
  if (fileObject) r.checkShape(fileObject, FILE_SHAPE, '');
  const embedded = fileObject === undefined;

  // server.host
  let host = 'localhost';
  const hostFound = r.get('server.host', 'MSS_HOST');
  if (hostFound) {
    if (typeof hostFound.value === 'string' && isValidHost(hostFound.value.trim())) host = hostFound.value.trim();
    else r.problem('server.host', 'doit être un nom d\'hôte ou une adresse IP (ex. « localhost », « 0.0.0.0 », « ::1 »), sans schéma ni port', hostFound);
  }

  // server.port
  let port = 3000;
  const portFound = r.get('server.port', 'MSS_PORT');
  if (portFound) {
    const v = portFound.value;
    // a number in the JSON file; text only from the environment or the command line
    const fromText = portFound.source.kind !== 'file' && typeof v === 'string' && /^\s*\d+\s*$/.test(v);
    const n = typeof v === 'number' ? v : fromText ? Number(v) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= 65535) port = n;
    else r.problem('server.port', 'doit être un entier entre 1 et 65535', portFound);
  }

  // server.publicUrl
  let publicUrl = `https://localhost:${port}`;
  const urlFound = r.get('server.publicUrl', 'MSS_PUBLIC_URL');
  if (urlFound) {
    let parsed: URL | undefined;
    try {
      parsed = typeof urlFound.value === 'string' ? new URL(urlFound.value.trim()) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.protocol !== 'https:' || parsed.search || parsed.hash || parsed.username || parsed.password) {
      r.problem('server.publicUrl', 'doit être une URL https:// sans paramètres (Outlook n\'accepte que HTTPS), ex. « https://mss.exemple.fr »', urlFound);
    } else {
      publicUrl = parsed.toString().replace(/\/+$/, '');
    }
  }

  // server.tls
  const cert = readPathSetting(r, 'server.tls.certFile', 'MSS_TLS_CERT');
  const key = readPathSetting(r, 'server.tls.keyFile', 'MSS_TLS_KEY');
  const tlsFix = 'Ou retirez server.tls pour utiliser le certificat de développement.';
  const certOk = cert ? checkReadableFile(r, 'server.tls.certFile', cert, tlsFix) : false;
  const keyOk = key ? checkReadableFile(r, 'server.tls.keyFile', key, tlsFix) : false;
  if ((cert === undefined) !== (key === undefined)) {
    const [missing, missingEnv, given] = cert ? ['server.tls.keyFile', 'MSS_TLS_KEY', 'server.tls.certFile'] : ['server.tls.certFile', 'MSS_TLS_CERT', 'server.tls.keyFile'];
    r.problems.push(
      `${missing} : absent alors que ${given} est donné ; le certificat et la clé vont ensemble. Donnez ${missing} (ou ${missingEnv}), ou retirez ${given} pour utiliser le certificat de développement.`,
    );
  }

  // dataDir
  const dataDirSetting = readPathSetting(r, 'dataDir', 'MSS_DATA_DIR');
  const dataDir = dataDirSetting?.path ?? resolve(cwd, '.data');

  // store
  let storeType: StoreType = 'sqlite';
  const storeTypeFound = r.get('store.type');
  if (storeTypeFound) {
    if (storeTypeFound.value === 'sqlite') storeType = 'sqlite';
    else if (storeTypeFound.value === 'postgres' || storeTypeFound.value === 'postgresql') storeType = 'postgres';
    else r.problem('store.type', 'doit valoir « sqlite » ou « postgres »', storeTypeFound);
  }
  const postgresUrl = readPostgresUrl(r, storeType, storeTypeFound);
  const sqlite = readPathSetting(r, 'store.sqlitePath', undefined);
  const sqlitePath = sqlite?.path ?? resolve(dataDir, 'mss-outlook.sqlite');

  // trustSpace
  const lb = readPathSetting(r, 'trustSpace.listeBlanchePath', 'MSS_LISTE_BLANCHE');
  if (lb) checkReadableFile(r, 'trustSpace.listeBlanchePath', lb, 'Ou retirez ce réglage pour utiliser la liste blanche intégrée.');

  // gateways, internalDomains
  const gwFound = r.get('gateways');
  const gateways = gwFound ? validateGateways(r, gwFound) : embedded ? [...DEMO_GATEWAYS] : [];
  const idFound = r.get('internalDomains');
  const internalDomains = idFound ? validateInternalDomains(r, idFound) : embedded ? [...DEMO_INTERNAL_DOMAINS] : [];

  // policy (validated by the core, the one owner of the policy model)
  let policy: Policy = DEFAULT_POLICY;
  const policyFound = r.get('policy');
  if (policyFound) {
    const parsed = parsePolicy(policyFound.value);
    if (parsed.ok) policy = parsed.policy;
    else {
      for (const err of parsed.errors) {
        r.problems.push(`policy : ${err.replace(/\.$/, "")}. ${r.fix('policy', policyFound.source)} Valeurs possibles de chaque situation : off, warn, block.`);
      }
    }
  }

  // directory
  const dir = readPathSetting(r, 'directory.extractionPath', 'MSS_DIRECTORY');
  if (dir) checkReadableFile(r, 'directory.extractionPath', dir, 'Ou retirez ce réglage pour utiliser l\'annuaire d\'exemple intégré.');
  const directory = readDirectorySettings(r, dir?.path, dataDir, env);
  const psc = readPscSettings(r, publicUrl, env);

  // harness
  let harnessEnabled = env.NODE_ENV !== 'production';
  const harnessFound = r.get('harness.enabled', 'MSS_HARNESS');
  if (harnessFound) {
    const b = parseBoolean(harnessFound.value);
    if (b === undefined) r.problem('harness.enabled', 'doit valoir true ou false (variable : true/false, 1/0, oui/non)', harnessFound);
    else harnessEnabled = b;
  }

  // addin
  const staticDir = readPathSetting(r, 'addin.staticDir', undefined)?.path ?? resolve(cwd, 'dist');

  // log
  let level: LogLevel = 'info';
  const levelFound = r.get('log.level', 'MSS_LOG_LEVEL');
  if (levelFound) {
    const v = typeof levelFound.value === 'string' ? levelFound.value.trim().toLowerCase() : undefined;
    if (v !== undefined && (LOG_LEVELS as readonly string[]).includes(v)) level = v as LogLevel;
    else r.problem('log.level', `doit valoir l'un de : ${LOG_LEVELS.join(', ')}`, levelFound);
  }

  const pipeline = readPipelineSettings(r);
  const receipts = readReceiptsSettings(r, pipeline.outbound);

  if (r.problems.length > 0) throw new ConfigError(r.problems);

  return deepFreeze({
    server: {
      host,
      port,
      publicUrl,
      tls: cert && key && certOk && keyOk ? { certFile: cert.path, keyFile: key.path } : {},
    },
    dataDir,
    store: { type: storeType, sqlitePath, ...(postgresUrl ? { postgresUrl } : {}) },
    ...(pipeline.entra ? { entra: pipeline.entra } : {}),
    senders: pipeline.senders,
    admin: pipeline.admin,
    outbound: pipeline.outbound,
    traces: pipeline.traces,
    receipts,
    trustSpace: lb ? { listeBlanchePath: lb.path } : {},
    gateways,
    internalDomains,
    policy: { ...policy },
    directory,
    ...(psc ? { psc } : {}),
    harness: { enabled: harnessEnabled },
    addin: { staticDir },
    log: { level },
    origin: filePath ? { file: filePath, embedded: false } : { embedded: true },
  });
}

function readUrlSetting(r: Reader, key: string, envName: string, allowHttp: boolean): string | undefined {
  const found = r.get(key, envName);
  if (!found) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = typeof found.value === 'string' ? new URL(found.value.trim()) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || !(parsed.protocol === 'https:' || (allowHttp && parsed.protocol === 'http:')) || parsed.username || parsed.password) {
    r.problem(key, `doit être une URL ${allowHttp ? 'http:// ou https://' : 'https://'} sans identifiants`, found);
    return undefined;
  }
  return parsed.toString();
}

/** The `psc.*` settings: all absent ⇒ undefined (no PSC sign-in); issuer and clientId go together. */
function readPscSettings(r: Reader, publicUrl: string, env: Record<string, string | undefined>): PscConfig | undefined {
  // http:// only for a stand-in on this machine (tests, demos); Pro Santé Connect itself is https
  let issuer = readUrlSetting(r, 'psc.issuer', 'MSS_PSC_ISSUER', true);
  if (issuer !== undefined && issuer.startsWith('http:') && !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(issuer).hostname)) {
    r.problems.push(`psc.issuer : doit être une URL https:// (http:// n'est accepté que pour un bouchon local 127.0.0.1 ou localhost ; reçu « ${issuer} »). Corrigez MSS_PSC_ISSUER ou psc.issuer.`);
    issuer = undefined;
  }
  const idFound = r.get('psc.clientId', 'MSS_PSC_CLIENT_ID');
  let clientId: string | undefined;
  if (idFound) {
    if (typeof idFound.value === 'string' && /^[\x21-\x7e]{1,200}$/.test(idFound.value.trim())) clientId = idFound.value.trim();
    else r.problem('psc.clientId', 'doit être l\'identifiant du client déclaré auprès de Pro Santé Connect (texte sans espace)', idFound);
  }
  if (r.get('psc.clientSecret')) {
    r.problems.push('psc.clientSecret : le secret ne se met pas dans le fichier de configuration. Retirez-le du fichier et donnez-le par la variable d\'environnement MSS_PSC_CLIENT_SECRET.');
  }
  const redirectUri = readUrlSetting(r, 'psc.redirectUri', 'MSS_PSC_REDIRECT_URI', false);
  const text = (key: string, fallback: string): string => {
    const found = r.get(key);
    if (!found) return fallback;
    if (typeof found.value === 'string' && !/[\r\n]/.test(found.value)) return found.value.trim();
    r.problem(key, 'doit être un texte sur une ligne', found);
    return fallback;
  };
  const scope = text('psc.scope', 'openid scope_all');
  const acrValues = text('psc.acrValues', 'eidas1');
  if (issuer === undefined && clientId === undefined) return undefined;
  if (r.problems.some((p) => p.startsWith('psc.issuer'))) return undefined;
  if (issuer === undefined || clientId === undefined) {
    r.problems.push(`psc : ${issuer === undefined ? 'psc.issuer (MSS_PSC_ISSUER)' : 'psc.clientId (MSS_PSC_CLIENT_ID)'} manque. Donnez psc.issuer et psc.clientId ensemble, ou aucun des deux pour désactiver Pro Santé Connect.`);
    return undefined;
  }
  const clientSecret = env.MSS_PSC_CLIENT_SECRET?.trim() || undefined;
  const ticketTtlSeconds = readInt(r, 'psc.ticketTtlSeconds', 'MSS_PSC_TICKET_TTL', 120, 10, 900);
  const waitRecheckSeconds = readInt(r, 'psc.waitRecheckSeconds', undefined, 15, 1, 3600);
  let allowUserQuery = false;
  const userQueryFound = r.get('psc.allowUserQuery', 'MSS_PSC_ALLOW_USER_QUERY');
  if (userQueryFound) {
    const b = parseBoolean(userQueryFound.value);
    if (b === undefined) r.problem('psc.allowUserQuery', 'doit valoir true ou false (variable : true/false, 1/0, oui/non)', userQueryFound);
    else if (b && env.NODE_ENV === 'production') {
      r.problem('psc.allowUserQuery', 'interdit en production (NODE_ENV=production) : /psc/start?user= laisserait n\'importe qui ouvrir une session Pro Santé Connect au nom d\'un autre. La connexion passe par le complément (POST /api/psc/session)', userQueryFound);
    } else allowUserQuery = b;
  }
  // mutual TLS toward PSC (Espace de Confiance): the PKCS#12 path in the file or MSS_PSC_CLIENT_CERT; its passphrase is a secret
  const cert = readPathSetting(r, 'psc.clientCertPath', 'MSS_PSC_CLIENT_CERT');
  if (cert) checkReadableFile(r, 'psc.clientCertPath', cert, 'Donnez le certificat IGC-Santé de la structure au format PKCS#12 (.p12).');
  if (r.get('psc.clientCertPassphrase')) {
    r.problems.push('psc.clientCertPassphrase : le mot de passe ne se met pas dans le fichier de configuration. Retirez-le du fichier et donnez-le par la variable d\'environnement MSS_PSC_CLIENT_CERT_PASSPHRASE.');
  }
  if (cert && clientSecret) {
    r.problems.push('psc.clientCertPath et MSS_PSC_CLIENT_SECRET sont tous deux donnés : choisissez un seul mode d\'authentification du client auprès de Pro Santé Connect (certificat IGC-Santé dans l\'Espace de Confiance, secret dans l\'Espace Communautaire).');
  }
  const clientCertPassphrase = env.MSS_PSC_CLIENT_CERT_PASSPHRASE ?? undefined;
  return {
    issuer,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    redirectUri: redirectUri ?? `${publicUrl}/psc/callback`,
    scope,
    acrValues,
    ticketTtlSeconds,
    allowUserQuery,
    waitRecheckSeconds,
    ...(cert ? { clientCertPath: cert.path, ...(clientCertPassphrase !== undefined ? { clientCertPassphrase } : {}) } : {}),
  };
}

/** The `directory.*` settings. */
function readDirectorySettings(r: Reader, extractionPath: string | undefined, dataDir: string, env: Record<string, string | undefined>): DirectoryConfig {
  // http:// is accepted for the download (the integrity check covers it) and for a local test stand-in of the API
  const url = readUrlSetting(r, 'directory.url', 'MSS_DIRECTORY_URL', true);
  if (url && extractionPath) {
    r.problems.push('directory.url et directory.extractionPath sont tous deux donnés : choisissez l\'un ou l\'autre (téléchargement quotidien ou fichier local).');
  }
  let sha256: string | undefined;
  const shaFound = r.get('directory.sha256', 'MSS_DIRECTORY_SHA256');
  if (shaFound) {
    if (typeof shaFound.value === 'string' && /^[0-9a-f]{64}$/i.test(shaFound.value.trim())) sha256 = shaFound.value.trim().toLowerCase();
    else r.problem('directory.sha256', 'doit être une empreinte SHA-256 (64 chiffres hexadécimaux)', shaFound);
  }
  let refreshTime: string | undefined = url || extractionPath ? '05:00' : undefined;
  const refreshFound = r.get('directory.refreshTime', 'MSS_DIRECTORY_REFRESH');
  if (refreshFound) {
    const v = typeof refreshFound.value === 'string' ? refreshFound.value.trim().toLowerCase() : '';
    const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(v);
    if (v === 'off' || v === 'non') refreshTime = undefined;
    else if (m) refreshTime = `${m[1].padStart(2, '0')}:${m[2]}`;
    else r.problem('directory.refreshTime', 'doit être une heure « HH:MM » (ex. « 05:00 ») ou « off »', refreshFound);
  }
  const mapping = readPathSetting(r, 'directory.mappingCsvPath', 'MSS_DIRECTORY_MAPPING');
  if (mapping) checkReadableFile(r, 'directory.mappingCsvPath', mapping, 'Ou retirez ce réglage.');
  const snapshotDir = readPathSetting(r, 'directory.snapshotDir', undefined)?.path ?? resolve(dataDir, 'directory');
  const baseUrl = readUrlSetting(r, 'directory.fhir.baseUrl', 'MSS_FHIR_BASE_URL', true) ?? 'https://gateway.api.esante.gouv.fr/fhir/v2';
  // the API key is a secret: environment only, never in the (versioned) file
  const keyFound = r.get('directory.fhir.apiKey');
  if (keyFound) r.problems.push('directory.fhir.apiKey : la clé d\'API ne se met pas dans le fichier de configuration. Retirez-la du fichier et donnez-la par la variable d\'environnement MSS_FHIR_API_KEY.');
  const apiKey = env.MSS_FHIR_API_KEY?.trim() || undefined;
  let cacheTtlSeconds = 86400;
  const ttlFound = r.get('directory.fhir.cacheTtlSeconds', 'MSS_FHIR_CACHE_TTL');
  if (ttlFound) {
    const v = ttlFound.value;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (Number.isInteger(n) && n >= 0 && n <= 30 * 86400) cacheTtlSeconds = n;
    else r.problem('directory.fhir.cacheTtlSeconds', 'doit être un nombre entier de secondes entre 0 et 2592000 (30 jours)', ttlFound);
  }
  return {
    ...(extractionPath ? { extractionPath } : {}),
    ...(url ? { url } : {}),
    ...(sha256 ? { sha256 } : {}),
    ...(refreshTime ? { refreshTime } : {}),
    ...(mapping ? { mappingCsvPath: mapping.path } : {}),
    snapshotDir,
    fhir: { baseUrl, ...(apiKey ? { apiKey } : {}), cacheTtlSeconds },
  };
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

/** `store.postgresUrl`: required with store.type postgres. */
function readPostgresUrl(r: Reader, storeType: StoreType, typeFound: Found | undefined): string | undefined {
  const found = r.get('store.postgresUrl', 'MSS_POSTGRES_URL');
  if (storeType !== 'postgres') return undefined;
  if (!found) {
    if (typeFound) r.problem('store.type', '« postgres » demande aussi store.postgresUrl (ou la variable MSS_POSTGRES_URL), ex. « postgres://mss@db.local:5432/mss_outlook »', typeFound);
    return undefined;
  }
  let ok = false;
  try {
    const u = typeof found.value === 'string' ? new URL(found.value.trim()) : undefined;
    ok = !!u && (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok) {
    // never echo the value: it may carry a password
    r.problems.push(`store.postgresUrl : doit être une URL postgres://utilisateur@hôte:port/base. ${r.fix('store.postgresUrl', found.source)}`);
    return undefined;
  }
  return (found.value as string).trim();
}

/** `{ [key]: value }` when the value is defined, else `{}` (spread into a settings object). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function readInt(r: Reader, key: string, envName: string | undefined, def: number, min: number, max: number): number {
  const found = r.get(key, envName);
  if (!found) return def;
  const v = found.value;
  const n = typeof v === 'number' ? v : found.source.kind !== 'file' && typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  r.problem(key, `doit être un entier entre ${min} et ${max}`, found);
  return def;
}

function readText(r: Reader, key: string, envName: string | undefined, pattern: RegExp, what: string): string | undefined {
  const found = r.get(key, envName);
  if (!found) return undefined;
  if (typeof found.value === 'string' && pattern.test(found.value.trim())) return found.value.trim();
  r.problem(key, what, found);
  return undefined;
}

/** `outbound.crlUrls`: a JSON list in the file, comma-separated in MSS_CRL_URLS; http:// allowed (CRLs are signed). */
function readCrlUrls(r: Reader): string[] {
  const found = r.get('outbound.crlUrls', 'MSS_CRL_URLS');
  if (!found) return [];
  const list = typeof found.value === 'string' && found.source.kind !== 'file' ? found.value.split(',').map((u) => u.trim()).filter(Boolean) : found.value;
  const urls: string[] = [];
  if (!Array.isArray(list)) {
    r.problem('outbound.crlUrls', 'doit être une liste d\'adresses http(s) de CRL, ex. ["http://igc-sante.esante.gouv.fr/CRL/ACI-EL-ORG.crl"]', found);
    return urls;
  }
  for (const u of list) {
    let ok = false;
    try {
      const parsed = typeof u === 'string' ? new URL(u) : undefined;
      ok = !!parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && !parsed.username && !parsed.password;
    } catch {
      ok = false;
    }
    if (ok) urls.push(u as string);
    else r.problem('outbound.crlUrls', 'chaque élément doit être une URL http:// ou https:// sans identifiants (les CRL sont signées : http suffit)', { value: u, source: found.source });
  }
  return urls;
}

const MAILBOX_RE = /^[^\s@<>"]+@[a-z0-9.-]+\.[a-z]{2,}$/i;
const USER_RE = /^[^\s<>"]{1,200}$/;

/** The settings of the send pipeline: entra, senders, admin, outbound, traces. */
function readPipelineSettings(r: Reader): Pick<Config, 'senders' | 'admin' | 'outbound' | 'traces'> & { entra?: Config['entra'] } {
  const tenantId = readText(r, 'entra.tenantId', 'MSS_ENTRA_TENANT_ID', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'doit être l\'identifiant (GUID) du locataire Entra ID, ex. « 72f988bf-86f1-41af-91ab-2d7cd011db47 »');
  const audience = readText(r, 'entra.audience', 'MSS_ENTRA_AUDIENCE', /^[\x21-\x7e]{1,300}$/, 'doit être l\'audience des jetons (URI d\'ID d\'application ou identifiant client), sans espace');
  const jwksUrl = readUrlSetting(r, 'entra.jwksUrl', 'MSS_ENTRA_JWKS_URL', false);
  if ((tenantId === undefined) !== (audience === undefined) && !r.problems.some((p) => p.startsWith('entra.'))) {
    r.problems.push(`${tenantId ? 'entra.audience' : 'entra.tenantId'} : absent alors que ${tenantId ? 'entra.tenantId' : 'entra.audience'} est donné ; les deux vont ensemble. Donnez-le (${tenantId ? 'MSS_ENTRA_AUDIENCE' : 'MSS_ENTRA_TENANT_ID'}) ou retirez l'autre pour désactiver l'envoi.`);
  }
  const addinSignIn = readAddinSignIn(r);
  const entra = tenantId && audience ? { tenantId: tenantId.toLowerCase(), audience, ...(jwksUrl ? { jwksUrl } : {}), ...addinSignIn } : undefined;

  const senders: { user: string; mailboxes: string[] }[] = [];
  const sendersFound = r.get('senders');
  if (sendersFound) {
    if (!Array.isArray(sendersFound.value)) r.problem('senders', 'doit être une liste de { "user": "...", "mailboxes": ["...@...mssante.fr"] }', sendersFound);
    else {
      sendersFound.value.forEach((rule: unknown, i: number) => {
        const o = isPlainObject(rule) ? rule : {};
        const user = o.user;
        const mailboxes = o.mailboxes;
        const okUser = typeof user === 'string' && USER_RE.test(user.trim());
        const okBoxes = Array.isArray(mailboxes) && mailboxes.length > 0 && mailboxes.every((m) => typeof m === 'string' && MAILBOX_RE.test(m.trim()));
        const extra = Object.keys(o).filter((k) => k !== 'user' && k !== 'mailboxes');
        if (!isPlainObject(rule) || !okUser || !okBoxes || extra.length > 0) {
          r.problem(`senders[${i}]`, 'doit être { "user": oid ou preferred_username, "mailboxes": [adresses de BAL MSSanté] } (au moins une BAL, rien d\'autre)', { value: rule, source: sendersFound.source });
        } else {
          senders.push({ user: (user as string).trim().toLowerCase(), mailboxes: (mailboxes as string[]).map((m) => m.trim().toLowerCase()) });
        }
      });
    }
  }

  const admins: string[] = [];
  const adminFound = r.get('admin.users');
  if (adminFound) {
    if (!Array.isArray(adminFound.value) || !adminFound.value.every((u) => typeof u === 'string' && USER_RE.test(u.trim()))) {
      r.problem('admin.users', 'doit être une liste d\'oid ou de preferred_username Entra, ex. ["admin@structure.fr"]', adminFound);
    } else admins.push(...(adminFound.value as string[]).map((u) => u.trim().toLowerCase()));
  }

  const smtpHost = readText(r, 'outbound.smtpHost', 'MSS_SMTP_HOST', /^[a-z0-9.-]{1,253}$/i, 'doit être le nom d\'hôte du serveur SMTP de l\'opérateur, ex. « smtp.messagerie.exemple.fr »');
  const smtpServername = readText(r, 'outbound.smtpServername', undefined, /^[a-z0-9.-]{1,253}$/i, 'doit être un nom d\'hôte');
  const anchors = readPathSetting(r, 'outbound.trustAnchorsPath', 'MSS_IGC_SANTE_ANCHORS');
  if (anchors) checkReadableFile(r, 'outbound.trustAnchorsPath', anchors, 'Téléchargez les autorités IGC-Santé (igc-sante.esante.gouv.fr) au format PEM.');
  if (smtpHost && !anchors) r.problems.push('outbound.trustAnchorsPath : obligatoire avec outbound.smtpHost (seules les autorités IGC-Santé sont reconnues pour le serveur de l\'opérateur, ECO.1.1.4). Donnez le fichier PEM (ou MSS_IGC_SANTE_ANCHORS).');
  const productReference = readText(r, 'outbound.productReference', 'MSS_PRODUCT_REFERENCE', /^[A-Za-z0-9._-]{1,64}$/, 'doit être la référence produit attribuée sur convergence.esante.gouv.fr, ex. « DEV935997 »');
  const outbound: OutboundConfig = {
    ...(smtpHost ? { smtpHost } : {}),
    smtpPort: readInt(r, 'outbound.smtpPort', 'MSS_SMTP_PORT', 587, 1, 65535),
    ...(smtpServername ? { smtpServername } : {}),
    ...(anchors ? { trustAnchorsPath: anchors.path } : {}),
    concurrency: readInt(r, 'outbound.concurrency', undefined, 4, 1, 64),
    leaseSeconds: readInt(r, 'outbound.leaseSeconds', undefined, 300, 15, 86_400),
    reconcileSeconds: readInt(r, 'outbound.reconcileSeconds', undefined, 900, 0, 86_400),
    retryBaseSeconds: readInt(r, 'outbound.retryBaseSeconds', undefined, 30, 1, 86_400),
    retryMaxSeconds: readInt(r, 'outbound.retryMaxSeconds', undefined, 3600, 1, 7 * 86_400),
    maxAttempts: readInt(r, 'outbound.maxAttempts', undefined, 12, 1, 100),
    ...(productReference ? { productReference } : {}),
    crlUrls: readCrlUrls(r),
    crlRefreshHours: readInt(r, 'outbound.crlRefreshHours', 'MSS_CRL_REFRESH_HOURS', 6, 1, 168),
    ...(r.get('outbound.maxMessageMegabytes', undefined) ? { maxMessageMegabytes: readInt(r, 'outbound.maxMessageMegabytes', undefined, 10, 1, 100) } : {}),
    ...optional('xdmSourceId', readText(r, 'outbound.xdmSourceId', undefined, /^[0-2](\.(0|[1-9][0-9]*)){1,40}$/, 'doit être un OID (chiffres séparés par des points, ex. « 1.2.250.1.213.1.4.2 »)')),
  };
  const traces = { retentionDays: readInt(r, 'traces.retentionDays', 'MSS_TRACES_RETENTION_DAYS', 183, 1, 3650) };
  return { ...(entra ? { entra } : {}), senders, admin: { users: admins }, outbound, traces };
}

/** What the task pane's MSAL needs (GET /api/auth/config): public values only, never a secret. */
export interface AddinSignInConfig {
  /** Client id of the add-in's Entra app registration (entra.addinClientId). */
  readonly addinClientId?: string;
  /** Scope of the connector's API (entra.scope); default `<audience>/access_as_user`. */
  readonly scope?: string;
  /** MSAL authority (entra.authority); default `https://login.microsoftonline.com/<tenantId>`. */
  readonly authority?: string;
  /** Sign-in page of the Office dialog fallback, a same-origin path or an https URL (entra.dialogUrl). */
  readonly dialogUrl?: string;
}

/** The `entra.addinClientId`, `entra.scope`, `entra.authority` and `entra.dialogUrl` settings (see CONFIG_REFERENCE). */
function readAddinSignIn(r: Reader): AddinSignInConfig {
  const addinClientId = readText(r, 'entra.addinClientId', 'MSS_ENTRA_ADDIN_CLIENT_ID', /^[\x21-\x7e]{1,200}$/, 'doit être l\'identifiant client (GUID) de l\'inscription Entra de l\'add-in, ex. « 5f0c1b2a-1111-4c7e-9d0e-2f1a5b7c9d10 »');
  const scope = readText(r, 'entra.scope', 'MSS_ENTRA_SCOPE', /^[\x21-\x7e]{1,300}$/, 'doit être une portée sans espace, ex. « api://mss.exemple.fr/5f0c1b2a/access_as_user »');
  const authority = readUrlSetting(r, 'entra.authority', 'MSS_ENTRA_AUTHORITY', false);
  const dialogUrl = readText(r, 'entra.dialogUrl', 'MSS_ENTRA_DIALOG_URL', /^(\/[\x21-\x7e]*|https:\/\/[\x21-\x7e]+)$/, 'doit être un chemin commençant par / (page servie par le connecteur, ex. « /connexion.html ») ou une URL https://');
  return {
    ...(addinClientId ? { addinClientId } : {}),
    ...(scope ? { scope } : {}),
    ...(authority ? { authority: authority.replace(/\/$/, '') } : {}),
    ...(dialogUrl ? { dialogUrl } : {}),
  };
}

/** Where the effective value of a setting comes from (same precedence as loadConfig). */
export type SettingSource = 'cli' | 'env' | 'file' | 'default';

/**
 * Where each setting of {@link CONFIG_REFERENCE} comes from: command line, environment, file or default, with the
 * precedence of {@link loadConfig} (for the admin page). Never throws: an unreadable file counts as absent (loadConfig
 * reports it). Values are not returned, only their origin.
 */
export function configSources(opts: LoadConfigOptions): Record<string, SettingSource> {
  const env = opts.env;
  const cwd = opts.cwd ?? process.cwd();
  const fileArg = opts.file ?? (env.MSS_CONFIG ? env.MSS_CONFIG : undefined);
  let fileObject: Record<string, unknown> | undefined;
  let filePath: string | undefined;
  if (fileArg !== undefined) {
    filePath = resolve(cwd, fileArg);
    try {
      const parsed: unknown = JSON.parse(readFileSync(filePath, 'utf8').replace(/^\uFEFF/, ''));
      if (isPlainObject(parsed)) fileObject = parsed;
    } catch {
      fileObject = undefined;
    }
  }
  const r = new Reader(fileObject, filePath, env, cwd, opts.overrides);
  const out: Record<string, SettingSource> = {};
  for (const e of CONFIG_REFERENCE) {
    if (e.key === '(fichier)') out[e.key] = opts.file !== undefined ? 'cli' : env.MSS_CONFIG ? 'env' : 'default';
    else out[e.key] = r.get(e.key, e.env)?.source.kind ?? 'default';
  }
  return out;
}

/** Settings of the IMAP receipt poller (see CONFIG_REFERENCE, receipts.*). */
export interface ReceiptsConfig {
  readonly enabled: boolean;
  /** Absent ⇒ outbound.smtpHost; both absent ⇒ no poller. */
  readonly imapHost?: string;
  readonly imapPort: number;
  readonly imapServername?: string;
  readonly pollSeconds: number;
  /** Folder of the matched reports (moved there when `disposal` is 'move'). */
  readonly folder: string;
  readonly disposal: 'move' | 'flag';
  readonly sinceDays: number;
}

/** The `receipts.*` settings; the IMAP host defaults to the SMTP one (same operator). */
function readReceiptsSettings(r: Reader, outbound: OutboundConfig): ReceiptsConfig {
  let enabled = true;
  const enabledFound = r.get('receipts.enabled', 'MSS_RECEIPTS');
  if (enabledFound) {
    const b = parseBoolean(enabledFound.value);
    if (b === undefined) r.problem('receipts.enabled', 'doit valoir true ou false', enabledFound);
    else enabled = b;
  }
  const hostPattern = /^[a-z0-9.-]{1,253}$/i;
  const imapHost = readText(r, 'receipts.imapHost', 'MSS_IMAP_HOST', hostPattern, 'doit être le nom d\'hôte du serveur IMAP de l\'opérateur, ex. « imap.messagerie.exemple.fr »');
  const imapServername = readText(r, 'receipts.imapServername', undefined, hostPattern, 'doit être un nom d\'hôte');
  let folder = 'Accusés MSSanté';
  const folderFound = r.get('receipts.folder');
  if (folderFound) {
    const v = typeof folderFound.value === 'string' ? folderFound.value.trim() : '';
    // RFC 3501 §5.1: INBOX is the inbox itself; * and % are LIST wildcards; no control characters
    if (v === '' || v.length > 200 || [...v].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) || /[*%"\\]/.test(v) || v.toUpperCase() === 'INBOX') {
      r.problem('receipts.folder', 'doit être un nom de dossier IMAP (1 à 200 caractères, ni INBOX, ni * % " \\, ni caractère de contrôle), ex. « Accusés MSSanté »', folderFound);
    } else folder = v;
  }
  let disposal: ReceiptsConfig['disposal'] = 'move';
  const disposalFound = r.get('receipts.disposal');
  if (disposalFound) {
    if (disposalFound.value === 'move' || disposalFound.value === 'flag') disposal = disposalFound.value;
    else r.problem('receipts.disposal', 'doit valoir « move » (ranger dans receipts.folder) ou « flag » (marquer lu)', disposalFound);
  }
  return {
    enabled,
    ...(imapHost ? { imapHost } : outbound.smtpHost ? { imapHost: outbound.smtpHost } : {}),
    imapPort: readInt(r, 'receipts.imapPort', 'MSS_IMAP_PORT', 143, 1, 65535),
    ...(imapServername ? { imapServername } : !imapHost && outbound.smtpServername ? { imapServername: outbound.smtpServername } : {}),
    pollSeconds: readInt(r, 'receipts.pollSeconds', 'MSS_RECEIPTS_POLL_SECONDS', 60, 10, 3600),
    folder,
    disposal,
    sinceDays: readInt(r, 'receipts.sinceDays', undefined, 14, 1, 90),
  };
}
