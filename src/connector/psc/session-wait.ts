// Runtime: Node (connector). What the outbound worker does when a message from a personal or organisational mailbox
// is due but its author has no live Pro Santé Connect session (never signed in, session ended by CONF.10, connector
// restarted: tokens are in memory only, CONF.28): it WAITS instead of failing or spending its attempts. The message
// stays `queued` ("en attente") with the code PSC_SESSION_REQUIRED and is looked at again every `recheckMs`; it
// leaves as soon as the author signs in from the add-in (POST /api/psc/session, then the Office dialog).

import type { OutboundError } from '../store';
import { TransportError } from '../transport/errors';

/** The stored error of a message waiting for its author's PSC session (French, shown by the add-in). */
export const PSC_SESSION_REQUIRED_ERROR: OutboundError = {
  code: 'PSC_SESSION_REQUIRED',
  message:
    'En attente de votre connexion Pro Santé Connect : ouvrez le complément MSSanté dans Outlook et cliquez sur « Se connecter avec Pro Santé Connect ». Le message partira dès que vous serez connecté ; rien n\'est perdu.',
};

/**
 * True for the errors that mean "the author has no usable PSC session": PSC_NOT_CONNECTED (no session held) and
 * SESSION_ENDED (refresh token refused, SC.MSS/CONF.10). Both are raised by the PSC token source before any
 * connection to the operator, or after a refusal and a failed forced refresh.
 */
export function isSessionRequired(err: unknown): boolean {
  return err instanceof TransportError && (err.code === 'PSC_NOT_CONNECTED' || err.code === 'SESSION_ENDED');
}

/**
 * The `waitFor` hook of the outbound worker: PSC_SESSION_REQUIRED, looked at again after `recheckMs`, for the errors
 * of {@link isSessionRequired}; undefined (normal retry rules) for everything else.
 */
export function pscSessionWait(recheckMs: number): (err: unknown) => { readonly error: OutboundError; readonly recheckMs: number } | undefined {
  return (err) => (isSessionRequired(err) ? { error: PSC_SESSION_REQUIRED_ERROR, recheckMs } : undefined);
}
