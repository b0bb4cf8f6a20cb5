// Runtime: browser (task pane). The task pane's own words, French first (STYLE.md "Prose"), English second.
// Labels of kinds, reasons and verdicts come from the core (messages-fr), so every surface says the same thing.

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
} as const;

type Messages = { readonly [K in keyof typeof fr]: (typeof fr)[K] extends (...a: infer A) => string ? (...a: A) => string : string };

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
