// Runtime: Node (connector). Pro Santé Connect: the OIDC client (tokens in memory only) and its Fastify routes.
export { PscClient, type PscClientOptions, type PscLoginResult } from './psc-client';
export { pscRoutes, type PscRoutesOptions } from './routes';
