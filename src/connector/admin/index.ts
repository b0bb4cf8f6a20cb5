// Runtime: Node (connector). Administration pages and routes.
export { adminTracesRoutes, type AdminTracesOptions } from './traces-routes';
