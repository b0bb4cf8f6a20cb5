// Runtime: browser (task pane). The task pane's own words, French first (STYLE.md "Prose"), English second.
// Labels of kinds, reasons and verdicts come from the core (messages-fr), so every surface says the same thing.

import { countFr } from '../../core';

/** English counterpart of the core's countFr: "1 recipient", "2 recipients" (0 takes the plural in English). */
function countEn(n: number, singular: string, plural: string): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const fr = {
  appTitle: 'Vérification MSSanté',
  appSubtitle: 'Destinataires de ce message et espace de confiance MSSanté',
  refresh: 'Actualiser',
  refreshAria: 'Actualiser la vérification des destinataires',
  loading: 'Vérification des destinataires…',
  fieldTo: 'À',
  fieldCc: 'Cc',
  fieldBcc: 'Cci',
  fieldAria: (field: string, n: number) => `Destinataires ${field} : ${n}`,
  noRecipients: 'Aucun destinataire pour l’instant. Ajoutez des destinataires : la vérification se met à jour toute seule.',
  emptyField: 'Aucun',
  notChecked: 'Non vérifiée',
  decodedAddress: 'Adresse MSSanté réelle :',
  directoryIdentity: 'Annuaire santé :',
  verdictTitle: 'Résultat de la vérification',
  verdictAllowDetail: 'Tous les destinataires peuvent recevoir ce message.',
  reasons: 'Pourquoi',
  fixes: 'Que faire',
  detailsAndFixes: 'Explications et solutions',
  healthDataFound: 'Le message semble contenir des données de santé.',
  connectorDown:
    'Le connecteur MSSanté ne répond pas. Les destinataires ne peuvent pas être vérifiés pour l’instant. Réessayez avec « Actualiser » ; si le problème continue, contactez votre support informatique.',
  connectorError: (code: string) =>
    `Le connecteur MSSanté a refusé la demande (code ${code}). Réessayez avec « Actualiser » ; si le problème continue, contactez votre support informatique.`,
  mailboxError:
    'Outlook n’a pas pu donner les informations du message (destinataires, objet ou corps). Réessayez avec « Actualiser ».',
  notOutlookTitle: 'Ce volet fonctionne dans Outlook',
  notOutlookBody:
    'Cette page est le volet « Vérification MSSanté » du complément Outlook. Ouvrez un message dans Outlook et cliquez sur « Envoyer en MSSanté » dans le ruban pour vérifier ses destinataires.',
  readMode: 'Message reçu : destinataires visibles (les Cci ne sont pas connus).',
  // one-click fixes
  replaceWith: (address: string) => `Remplacer par ${address}`,
  replaceAria: (from: string, to: string) => `Remplacer par ${to} (adresse MSSanté, au lieu de ${from})`,
  remove: 'Retirer',
  removeAria: (address: string) => `Retirer ${address} du message`,
  suggestionsTitle: 'Adresse MSSanté proposée',
  confidence: (pct: number) => `confiance ${pct} %`,
  noSuggestion: 'Aucune adresse MSSanté trouvée dans l’annuaire pour ce destinataire.',
  fixDone: (what: string) => `Fait : ${what}`,
  fixFailed: 'Outlook n’a pas accepté la modification. Réessayez, ou corrigez le destinataire dans le message.',
  replacedNotice: (from: string, to: string) => `${from} remplacée par ${to}.`,
  removedNotice: (address: string) => `${address} retirée du message.`,
  addedNotice: (address: string) => `${address} ajoutée au message.`,
  alreadyThere: (address: string) => `${address} est déjà dans le message.`,
  moveButton: 'Déplacer les destinataires non MSSanté dans un nouveau message',
  moveDoneTitle: 'Destinataires non MSSanté retirés de ce message',
  moveDoneCompose: (n: number) =>
    `${countFr(n, 'destinataire retiré', 'destinataires retirés')}. Outlook ne permet pas à un complément d’ouvrir un second message depuis une rédaction : les adresses sont copiées, ouvrez un nouveau message et collez-les dans « À ».`,
  moveDoneRead: (n: number) => `${countFr(n, 'destinataire placé', 'destinataires placés')} dans un nouveau message.`,
  copyAgain: 'Copier les adresses',
  copied: 'Adresses copiées.',
  // directory search
  searchTitle: 'Ajouter un destinataire depuis l’annuaire santé',
  searchLabel: 'Rechercher dans l’annuaire (nom, adresse, structure)',
  searchPlaceholder: 'Ex. : Martin médecin',
  searchField: 'Ajouter en',
  searchNoResult: 'Aucun résultat.',
  searchTooShort: 'Tapez au moins 2 caractères.',
  searchResults: (n: number) => countFr(n, 'résultat', 'résultats'),
  searchFailed: 'La recherche dans l’annuaire a échoué. Réessayez.',
  // reply rewriting
  rewriteTitle: 'Réponse préparée pour MSSanté',
  rewriteRecipient: (from: string, to: string) => `Destinataire : ${from} remplacé par son adresse MSSanté ${to}.`,
  rewriteUndecoded: (address: string) => `${address} passe par la passerelle mais son adresse MSSanté est inconnue : remplacez-la à la main.`,
  rewriteBodyReplaced: (to: string, n: number) =>
    `Corps du message : ${countFr(n, 'mention de la passerelle remplacée', 'mentions de la passerelle remplacées')} par ${to}.`,
  rewriteBodyRemoved: (n: number) =>
    `Corps et signature : ${countFr(n, 'adresse de passerelle retirée', 'adresses de passerelle retirées')}, dont la vôtre (elle ne doit pas circuler).`,
  rewriteSignatureMailbox: (mailbox: string) => `Signature : « MSSanté : » indique maintenant votre BAL d’envoi ${mailbox}.`,
  rewriteSignatureLabelRemoved: 'Signature : la ligne « MSSanté : » restée vide a été retirée.',
  rewriteThreading: 'Le fil de discussion est conservé (Outlook garde les en-têtes de réponse).',
  rewriteFailed: 'La réponse n’a pas pu être adaptée automatiquement. Remplacez l’adresse de passerelle avec les boutons ci-dessous.',
  // sending
  sendTitle: 'Envoyer en MSSanté',
  senderLabel: 'Boîte MSSanté d’envoi',
  senderManual: 'Adresse MSSanté d’envoi',
  senderUnavailable: 'La liste de vos boîtes MSSanté n’est pas disponible : saisissez l’adresse de la boîte d’envoi.',
  patientToggle: 'Message concernant un patient',
  insQualified: 'Identité INS qualifiée',
  insQualifiedHint: 'Cochez seulement si l’INS a été vérifiée par le téléservice INSi.',
  ins: 'INS (matricule, 15 chiffres)',
  birthName: 'Nom de naissance',
  firstNames: 'Prénom(s) de naissance',
  birthDate: 'Date de naissance',
  sex: 'Sexe',
  sexF: 'Féminin',
  sexM: 'Masculin',
  endOfExchange: 'Fin d’échange (aucune réponse attendue)',
  attachmentsTitle: 'Pièces jointes',
  cdaFlag: (name: string) => `${name} : document CDA, à joindre au format IHE XDM`,
  sendButton: 'Envoyer en MSSanté',
  sendBlocked: 'Corrigez d’abord les destinataires : l’envoi en MSSanté est bloqué.',
  sendNeedsQualifiedIns: 'Le message va à un patient : renseignez ci-dessus son identité INS qualifiée (INS vérifiée par le téléservice INSi et les quatre traits) pour pouvoir l’envoyer.',
  sendMissing: (what: string) => `À compléter : ${what}.`,
  sendSignin: 'Connexion…',
  sendSubmitting: 'Envoi au connecteur MSSanté…',
  readReceipt: 'Demander un accusé de lecture',
  cdaNeedsPatient: 'Les documents CDA partent dans un paquet IHE XDM : cochez « Message concernant un patient » et renseignez son identité INS qualifiée.',
  sendStatus: {
    submitted: 'Reçu par le connecteur.',
    sending: 'Envoi à l’opérateur MSSanté en cours.',
    queued: 'Reçu par le connecteur, en attente de l’opérateur.',
    accepted: 'Remis à l’opérateur MSSanté.',
    delivered: 'Distribué au destinataire.',
    read: 'Lu par le destinataire.',
    failed: 'Échec de l’envoi.',
  },
  sendDraftRemoved: 'Le brouillon Outlook a été supprimé : le message est parti par MSSanté.',
  sendDraftKept: 'Le brouillon Outlook n’a pas pu être supprimé : supprimez-le vous-même, le message est déjà parti par MSSanté.',
  sendFailed: (message: string) => `Le message n’est pas parti : ${message}`,
  signIn: 'Se connecter pour choisir la boîte MSSanté',
  signinFailed: 'La connexion au connecteur MSSanté a échoué. Réessayez ; si le problème continue, contactez votre support informatique.',
  mailboxType: { PER: 'BAL personnelle', ORG: 'BAL organisationnelle', APP: 'BAL applicative' },
  // per-recipient receipts (DSN, MDN)
  receiptsTitle: 'Accusés par destinataire',
  receiptState: (state: string) =>
    (
      ({ pending: 'en attente', delivered: 'distribué', read: 'lu', failed: 'non distribué', delayed: 'retardé', displayed: 'lu', deleted: 'supprimé sans lecture', relayed: 'relayé hors MSSanté', expanded: 'distribué (liste)' }) as Record<string, string>
    )[state] ?? state,
  receiptAt: (when: string) => `le ${when}`,
  // Pro Santé Connect
  pscTitle: 'Pro Santé Connect',
  pscNeeded: 'Une BAL personnelle ou organisationnelle s’ouvre avec votre e-CPS (Pro Santé Connect).',
  pscConnected: (until: string) => (until ? `Connecté à Pro Santé Connect jusqu’à ${until}.` : 'Connecté à Pro Santé Connect.'),
  pscDisconnected: 'Non connecté à Pro Santé Connect : connectez-vous avant d’envoyer.',
  pscChecking: 'Vérification de la connexion Pro Santé Connect…',
  pscButton: 'Se connecter avec Pro Santé Connect',
  pscSigningIn: 'Connexion Pro Santé Connect en cours (fenêtre ouverte)…',
  pscFailed: (code: string) => `La connexion Pro Santé Connect a échoué${code ? ` (code ${code})` : ''}. Réessayez ; si le problème continue, contactez votre support informatique.`,
  pscClosed: 'La fenêtre Pro Santé Connect a été fermée avant la fin de la connexion. Réessayez.',
  pscUnavailable: 'Le connecteur ne propose pas la connexion Pro Santé Connect : l’envoi depuis cette BAL est impossible pour l’instant. Contactez l’administrateur du connecteur.',
  pscRequired: 'connexion Pro Santé Connect',
} as const;

type Messages = {
  readonly [K in keyof typeof fr]: (typeof fr)[K] extends (...a: infer A) => string
    ? (...a: A) => string
    : (typeof fr)[K] extends string
      ? string
      : { readonly [S in keyof (typeof fr)[K]]: string };
};

const en: Messages = {
  appTitle: 'MSSanté check',
  appSubtitle: 'Recipients of this message and the MSSanté trust space',
  refresh: 'Refresh',
  refreshAria: 'Refresh the recipient check',
  loading: 'Checking recipients…',
  fieldTo: 'To',
  fieldCc: 'Cc',
  fieldBcc: 'Bcc',
  fieldAria: (field: string, n: number) => `${field} recipients: ${n}`,
  noRecipients: 'No recipient yet. Add recipients: the check updates by itself.',
  emptyField: 'None',
  notChecked: 'Not checked',
  decodedAddress: 'Real MSSanté address:',
  directoryIdentity: 'Health directory:',
  verdictTitle: 'Check result',
  verdictAllowDetail: 'Every recipient may receive this message.',
  reasons: 'Why',
  fixes: 'What to do',
  detailsAndFixes: 'Explanations and fixes',
  healthDataFound: 'The message seems to contain health data.',
  connectorDown:
    'The MSSanté connector is not responding. Recipients cannot be checked right now. Try “Refresh”; if it persists, contact your IT support.',
  connectorError: (code: string) =>
    `The MSSanté connector refused the request (code ${code}). Try “Refresh”; if it persists, contact your IT support.`,
  mailboxError: 'Outlook could not provide the message details (recipients, subject or body). Try “Refresh”.',
  notOutlookTitle: 'This pane works inside Outlook',
  notOutlookBody:
    'This page is the “MSSanté check” pane of the Outlook add-in. Open a message in Outlook and select “Send via MSSanté” in the ribbon to check its recipients.',
  readMode: 'Received message: visible recipients (Bcc are not known).',
  replaceWith: (address: string) => `Replace with ${address}`,
  replaceAria: (from: string, to: string) => `Replace with ${to} (MSSanté address, instead of ${from})`,
  remove: 'Remove',
  removeAria: (address: string) => `Remove ${address} from the message`,
  suggestionsTitle: 'Suggested MSSanté address',
  confidence: (pct: number) => `confidence ${pct}%`,
  noSuggestion: 'No MSSanté address found in the directory for this recipient.',
  fixDone: (what: string) => `Done: ${what}`,
  fixFailed: 'Outlook did not accept the change. Try again, or fix the recipient in the message.',
  replacedNotice: (from: string, to: string) => `${from} replaced with ${to}.`,
  removedNotice: (address: string) => `${address} removed from the message.`,
  addedNotice: (address: string) => `${address} added to the message.`,
  alreadyThere: (address: string) => `${address} is already in the message.`,
  moveButton: 'Move non-MSSanté recipients to a new message',
  moveDoneTitle: 'Non-MSSanté recipients removed from this message',
  moveDoneCompose: (n: number) =>
    `${countEn(n, 'recipient', 'recipients')} removed. Outlook does not let an add-in open a second message from a draft: the addresses are copied; open a new message and paste them into “To”.`,
  moveDoneRead: (n: number) => `${countEn(n, 'recipient', 'recipients')} put into a new message.`,
  copyAgain: 'Copy the addresses',
  copied: 'Addresses copied.',
  searchTitle: 'Add a recipient from the health directory',
  searchLabel: 'Search the directory (name, address, organisation)',
  searchPlaceholder: 'E.g. Martin physician',
  searchField: 'Add as',
  searchNoResult: 'No result.',
  searchTooShort: 'Type at least 2 characters.',
  searchResults: (n: number) => countEn(n, 'result', 'results'),
  searchFailed: 'The directory search failed. Try again.',
  rewriteTitle: 'Reply prepared for MSSanté',
  rewriteRecipient: (from: string, to: string) => `Recipient: ${from} replaced with their MSSanté address ${to}.`,
  rewriteUndecoded: (address: string) => `${address} goes through the gateway but its MSSanté address is unknown: replace it by hand.`,
  rewriteBodyReplaced: (to: string, n: number) => `Message body: ${countEn(n, 'gateway mention', 'gateway mentions')} replaced with ${to}.`,
  rewriteBodyRemoved: (n: number) => `Body and signature: ${countEn(n, 'gateway address', 'gateway addresses')} removed, yours included (it must not circulate).`,
  rewriteSignatureMailbox: (mailbox: string) => `Signature: “MSSanté:” now shows your sending mailbox ${mailbox}.`,
  rewriteSignatureLabelRemoved: 'Signature: the empty “MSSanté:” line was removed.',
  rewriteThreading: 'The conversation thread is kept (Outlook keeps the reply headers).',
  rewriteFailed: 'The reply could not be adapted automatically. Replace the gateway address with the buttons below.',
  sendTitle: 'Send via MSSanté',
  senderLabel: 'Sending MSSanté mailbox',
  senderManual: 'Sending MSSanté address',
  senderUnavailable: 'The list of your MSSanté mailboxes is not available: type the sending mailbox address.',
  patientToggle: 'Message about a patient',
  insQualified: 'Qualified INS identity',
  insQualifiedHint: 'Tick only if the INS was checked with the INSi service.',
  ins: 'INS (15-digit number)',
  birthName: 'Birth name',
  firstNames: 'Birth first name(s)',
  birthDate: 'Date of birth',
  sex: 'Sex',
  sexF: 'Female',
  sexM: 'Male',
  endOfExchange: 'End of exchange (no reply expected)',
  attachmentsTitle: 'Attachments',
  cdaFlag: (name: string) => `${name}: CDA document, attach as IHE XDM`,
  sendButton: 'Send via MSSanté',
  sendBlocked: 'Fix the recipients first: sending via MSSanté is blocked.',
  sendNeedsQualifiedIns: 'The message goes to a patient: fill in the qualified INS identity above (INS checked with the INSi service and the four traits) to send it.',
  sendMissing: (what: string) => `To complete: ${what}.`,
  sendSignin: 'Signing in…',
  sendSubmitting: 'Handing the message to the MSSanté connector…',
  readReceipt: 'Request a read receipt',
  cdaNeedsPatient: 'CDA documents leave in an IHE XDM package: tick “Message about a patient” and fill in the qualified INS identity.',
  sendStatus: {
    submitted: 'Received by the connector.',
    sending: 'Being sent to the MSSanté operator.',
    queued: 'Received by the connector, waiting for the operator.',
    accepted: 'Handed to the MSSanté operator.',
    delivered: 'Delivered to the recipient.',
    read: 'Read by the recipient.',
    failed: 'Sending failed.',
  },
  sendDraftRemoved: 'The Outlook draft was removed: the message left through MSSanté.',
  sendDraftKept: 'The Outlook draft could not be removed: delete it yourself, the message already left through MSSanté.',
  sendFailed: (message: string) => `The message did not leave: ${message}`,
  signIn: 'Sign in to choose the MSSanté mailbox',
  signinFailed: 'Signing in to the MSSanté connector failed. Try again; if it persists, contact your IT support.',
  mailboxType: { PER: 'personal mailbox', ORG: 'organisational mailbox', APP: 'applicative mailbox' },
  receiptsTitle: 'Receipts per recipient',
  receiptState: (state: string) =>
    (
      ({ pending: 'pending', delivered: 'delivered', read: 'read', failed: 'not delivered', delayed: 'delayed', displayed: 'read', deleted: 'deleted unread', relayed: 'relayed outside MSSanté', expanded: 'delivered (list)' }) as Record<string, string>
    )[state] ?? state,
  receiptAt: (when: string) => `on ${when}`,
  pscTitle: 'Pro Santé Connect',
  pscNeeded: 'A personal or organisational mailbox opens with your e-CPS (Pro Santé Connect).',
  pscConnected: (until: string) => (until ? `Signed in to Pro Santé Connect until ${until}.` : 'Signed in to Pro Santé Connect.'),
  pscDisconnected: 'Not signed in to Pro Santé Connect: sign in before sending.',
  pscChecking: 'Checking the Pro Santé Connect session…',
  pscButton: 'Sign in with Pro Santé Connect',
  pscSigningIn: 'Pro Santé Connect sign-in in progress (window open)…',
  pscFailed: (code: string) => `Pro Santé Connect sign-in failed${code ? ` (code ${code})` : ''}. Try again; if it persists, contact your IT support.`,
  pscClosed: 'The Pro Santé Connect window was closed before the sign-in finished. Try again.',
  pscUnavailable: 'The connector does not offer Pro Santé Connect sign-in: sending from this mailbox is not possible for now. Contact the connector administrator.',
  pscRequired: 'Pro Santé Connect sign-in',
};

export type { Messages };
export const MESSAGES: Record<Language, Messages> = { fr, en };

/**
 * Picks the UI language: `?lang=en|fr` wins, then the Office display language (`en-*` → English), else French.
 * @param search `location.search`
 * @param officeLanguage `Office.context.displayLanguage`, when known
 */
export function pickLanguage(search: string, officeLanguage?: string): Language {
  const requested = new URLSearchParams(search).get('lang')?.toLowerCase();
  if (requested === 'en' || requested === 'fr') return requested;
  if (officeLanguage && officeLanguage.toLowerCase().startsWith('en')) return 'en';
  return 'fr';
}
