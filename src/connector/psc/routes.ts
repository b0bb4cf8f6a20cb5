// Runtime: Node (connector). The Pro Santé Connect sign-in routes, as a Fastify plugin that buildApp registers:
//   GET /psc/start?user=<id>[&login_hint=<...>]  → 302 to PSC (opened by the add-in in the Office dialog,
//                                                    Office.context.ui.displayDialogAsync)
//   GET /psc/callback?code=…&state=…            → exchanges the code (PKCE), keeps the tokens in memory, and answers a
//                                                    small French page that tells the add-in (messageParent) and closes.
// Tokens never appear in a response, a log or a page.

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TRANSPORT_ERRORS, TransportError } from '../transport/errors';
import type { PscClient } from './psc-client';

/** Options of {@link pscRoutes}. */
export interface PscRoutesOptions {
  /** The PSC client (one per connector). */
  readonly client: PscClient;
  /**
   * [query `user`] The connector's user id of a start request. Replace it with the add-in's authenticated identity
   * when the add-in sends one (the default trusts the query: development only).
   */
  readonly userIdOf?: (request: FastifyRequest<{ Querystring: StartQuery }>) => string | undefined;
}

interface StartQuery {
  user?: string;
  login_hint?: string;
}

const startSchema = {
  querystring: {
    type: 'object',
    properties: {
      user: { type: 'string', minLength: 1, maxLength: 320, pattern: '^[^\\r\\n]+$' },
      login_hint: { type: 'string', minLength: 1, maxLength: 320, pattern: '^[^\\r\\n]+$' },
    },
    additionalProperties: false,
  },
} as const;

const callbackSchema = {
  querystring: {
    type: 'object',
    properties: {
      code: { type: 'string', maxLength: 4096 },
      state: { type: 'string', maxLength: 512 },
      error: { type: 'string', maxLength: 256 },
      error_description: { type: 'string', maxLength: 2048 },
      session_state: { type: 'string', maxLength: 512 },
      iss: { type: 'string', maxLength: 512 },
    },
    required: ['state'],
  },
} as const;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page shown in the Office dialog; tells the add-in the outcome (code only) and closes when it can. */
function dialogPage(title: string, text: string, outcome: { status: 'ok' } | { status: 'error'; code: string }): string {
  const message = JSON.stringify(JSON.stringify({ type: 'psc', ...outcome }));
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>
<script>try{if(window.Office&&Office.context&&Office.context.ui){Office.context.ui.messageParent(${message});}}catch(e){}</script>
</body></html>`;
}

/** Fastify plugin with the PSC sign-in routes. Register it in buildApp: `app.register(pscRoutes({ client }))`. */
export function pscRoutes(opts: PscRoutesOptions): FastifyPluginAsync {
  const userIdOf = opts.userIdOf ?? ((request) => request.query.user);
  return async (app) => {
    app.get<{ Querystring: StartQuery }>('/psc/start', { schema: startSchema }, async (request, reply) => {
      const userId = userIdOf(request);
      if (!userId) {
        return reply.code(400).type('text/html; charset=utf-8').send(dialogPage('Connexion impossible', "L'utilisateur n'est pas identifié : relancez la connexion depuis le complément Outlook.", { status: 'error', code: 'PSC_NOT_CONNECTED' }));
      }
      const { authorizationUrl } = opts.client.beginLogin(userId, { loginHint: request.query.login_hint });
      return reply.code(302).header('cache-control', 'no-store').redirect(authorizationUrl);
    });

    app.get<{ Querystring: Record<string, string | undefined> }>('/psc/callback', { schema: callbackSchema }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        await opts.client.completeLogin(request.query);
        return reply.type('text/html; charset=utf-8').send(dialogPage('Connecté à Pro Santé Connect', 'Vous pouvez fermer cette fenêtre et revenir à Outlook.', { status: 'ok' }));
      } catch (err) {
        const e = err instanceof TransportError ? err : new TransportError('PSC_UNAVAILABLE', { cause: err });
        const status = e.code === 'PSC_UNAVAILABLE' ? 502 : 400;
        return reply.code(status).type('text/html; charset=utf-8').send(dialogPage('Connexion Pro Santé Connect impossible', TRANSPORT_ERRORS[e.code], { status: 'error', code: e.code }));
      }
    });
  };
}
