// Runtime: Node (connector). Authentication (Entra ID bearer tokens) and authorisation (senders, administrators).
export { createEntraVerifier, EntraTokenError, type EntraIdentity, type EntraVerifier, type EntraVerifierOptions } from './entra';
export { isAdmin, mailboxesOf, type SenderRule } from './authorization';
export { bearerIdentity } from './bearer';
