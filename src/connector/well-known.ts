// Runtime: Node (connector). GET /.well-known/microsoft-officeaddins-allowed.json: the file classic Outlook's
// JavaScript-only runtime reads on the ADD-IN's origin before letting launchevent.js make CORS requests (or use SSO)
// (OUTLOOK.md §1.7; docs/develop/event-based-activation.md "Request external data"). The connector serves the add-in,
// so the add-in's origin is the connector's public URL (config.server.publicUrl, the manifest's origin).
import type { FastifyInstance } from 'fastify';
import type { Config } from './config';

/** Path of the launch-event script, as the manifest's JSRuntime.Url names it. */
export const LAUNCHEVENT_PATH = '/launchevent.js';

/** The well-known document: every JavaScript file allowed to call out from the JavaScript-only runtime. */
export function officeAddinsAllowed(config: Pick<Config, 'server'>): { allowed: string[] } {
  return { allowed: [config.server.publicUrl + LAUNCHEVENT_PATH] };
}

/** Registers the well-known route (no audit: a public, constant document). */
export function registerWellKnown(app: FastifyInstance, config: Pick<Config, 'server'>): void {
  const body = officeAddinsAllowed(config);
  app.get(
    '/.well-known/microsoft-officeaddins-allowed.json',
    {
      schema: {
        summary: 'Fichiers JavaScript autorisés à appeler des services depuis le runtime JavaScript d’Outlook classique.',
        response: {
          200: {
            type: 'object',
            required: ['allowed'],
            additionalProperties: false,
            properties: { allowed: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-cache');
      return body;
    },
  );
}
