// Runtime: Node (connector). Pro Santé Connect: the OIDC client (tokens in memory only), its Fastify routes bound to the
// add-in's Entra identity (one-time tickets), and the outbound worker's "wait for the author's session" rule.
export { PscClient, type PscClientOptions, type PscLoginResult } from './psc-client';
export { pscRoutes, type PscRoutesOptions } from './routes';
export { PscTickets, type PscTicketsOptions, type TicketRefusal } from './session-tickets';
export { PSC_SESSION_REQUIRED_ERROR, isSessionRequired, pscSessionWait } from './session-wait';
