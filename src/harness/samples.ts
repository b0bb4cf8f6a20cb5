// Runtime: browser (harness). Sample messages of the demonstration: a message received from a correspondent whose
// MSSanté address reaches the structure's Exchange through the demo gateway dsp.paris (local part template
// "{local}={domain}", as in the M2A-DAC 75 Ouest story of the ESSMS webinar, 21/11/2023).
import type { FakeMailboxState } from './fake-mailbox';

export const GATEWAY_SENDER = {
  displayName: 'Dr Jean Dupont',
  emailAddress: 'jean.dupont=medecin.mssante.fr@dsp.paris',
} as const;

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

/** The reply Outlook opens when the user clicks "Répondre" on the received message. */
export function gatewayReply(): Partial<FakeMailboxState> {
  return {
    mode: 'compose',
    composeType: 'reply',
    to: [{ ...GATEWAY_SENDER, recipientType: 'externalUser' }],
    subject: `RE: ${RECEIVED_SUBJECT}`,
    body: [
      '',
      '',
      '-----Message d’origine-----',
      `De : ${GATEWAY_SENDER.displayName} <${GATEWAY_SENDER.emailAddress}>`,
      `Envoyé : ${RECEIVED_DATE}`,
      'À : Secrétariat M2A-DAC 75 Ouest <secretariat@m2a.paris>',
      `Objet : ${RECEIVED_SUBJECT}`,
      '',
      RECEIVED_BODY,
    ].join('\n'),
  };
}
