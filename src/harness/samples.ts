// Runtime: browser (harness). Sample messages of the demonstration: a message received from a correspondent whose
// MSSanté address reaches the structure's Exchange through the demo gateway dsp.paris (local part template
// "{local}={domain}", as in the M2A-DAC 75 Ouest story of the ESSMS webinar, 21/11/2023).
import { htmlToText, type FakeMailboxState } from './fake-mailbox';

export const GATEWAY_SENDER = {
  displayName: 'Dr Jean Dupont',
  emailAddress: 'jean.dupont=medecin.mssante.fr@dsp.paris',
} as const;

/**
 * The structure's own organisational MSSanté mailbox, and the address the gateway gives it on the Exchange side: the
 * address that must never leak into a message sent through MSSanté (it appears in the quoted header and the signature).
 */
export const USER_MSSANTE_MAILBOX = 'm2a-dac75-ouest@pro.mssante.fr';
export const USER_GATEWAY_ADDRESS = 'm2a-dac75-ouest=pro.mssante.fr@dsp.paris';

export const RECEIVED_SUBJECT = 'Demande de coordination – sortie d’hospitalisation';
const RECEIVED_DATE = 'lundi 17 novembre 2025 09:12';
const RECEIVED_BODY = [
  'Bonjour,',
  '',
  'Pouvez-vous organiser la coordination du retour à domicile de notre patiente commune ?',
  'Je vous envoie les éléments dès que possible.',
  '',
  'Bien confraternellement,',
  'Dr Jean Dupont',
].join('\n');

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The user's Outlook signature, as Outlook inserts it into the reply (HTML, with a mailto link). */
const SIGNATURE_HTML =
  '<div id="Signature"><div>Secrétariat M2A-DAC 75 Ouest</div>' +
  `<div>MSSanté : <a href="mailto:${USER_GATEWAY_ADDRESS}">${USER_GATEWAY_ADDRESS}</a></div></div>`;

/**
 * The reply Outlook opens when the user clicks "Répondre" on the received message: an HTML body with the user's
 * signature and the quoted original, both carrying the user's gateway address.
 */
export function gatewayReply(): Partial<FakeMailboxState> {
  const quoted = [
    `<b>De :</b> ${esc(`${GATEWAY_SENDER.displayName} <${GATEWAY_SENDER.emailAddress}>`)}`,
    `<b>Envoyé :</b> ${esc(RECEIVED_DATE)}`,
    `<b>À :</b> ${esc(`Secrétariat M2A-DAC 75 Ouest <${USER_GATEWAY_ADDRESS}>`)}`,
    `<b>Objet :</b> ${esc(RECEIVED_SUBJECT)}`,
  ].join('<br>');
  const received = RECEIVED_BODY.split('\n').map((l) => `<div>${l ? esc(l) : '<br>'}</div>`).join('');
  const html =
    `<html><body><div><br></div>${SIGNATURE_HTML}<hr>` +
    `<div id="divRplyFwdMsg">${quoted}</div><div>${received}</div></body></html>`;
  return {
    mode: 'compose',
    composeType: 'reply',
    to: [{ ...GATEWAY_SENDER, recipientType: 'externalUser' }],
    subject: `RE: ${RECEIVED_SUBJECT}`,
    bodyHtml: html,
    body: htmlToText(html),
  };
}
