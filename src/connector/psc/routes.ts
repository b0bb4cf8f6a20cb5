// Runtime: Node (connector). The Pro Santé Connect sign-in routes, as a Fastify plugin that buildApp registers. The
// sign-in is bound to the add-in's authenticated identity (the Entra `oid`), never to something the browser says:
//   POST   /api/psc/session  (Authorization: Bearer <Entra>) → { url, expiresInS }: url = <publicUrl>/psc/start?ticket=…,
//                             a random single-use ticket (2 min by default) bound to the caller's oid, in memory only;
//   GET    /api/psc/session  → { connected, expiresAt? } (never a token);
//   DELETE /api/psc/session  → ends the session (tokens forgotten, refresh token revoked at PSC when possible, CONF.10);
//   GET    /psc/start?ticket=…  → consumes the ticket, 302 to PSC (the add-in opens the url in the Office dialog,
//                             Office.context.ui.displayDialogAsync); unknown / used / expired ticket ⇒ a French page;
//   GET    /psc/callback?code=…&state=… → exchanges the code (PKCE), keeps the tokens in memory under the oid, and
//                             answers a small French page that tells the add-in (messageParent) and closes.
// `/psc/start?user=<id>` (the identity taken from the query) is accepted only with `allowUserQuery` (psc.allowUserQuery,
// development only, refused by the configuration in production). Tokens never appear in a response, a log or a page.

import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { bearerIdentity, type EntraVerifier } from '../auth';
import { ApiError } from '../errors';
import { TRANSPORT_ERRORS, TransportError } from '../transport/errors';
import type { PscClient } from './psc-client';
import { PscTickets, type TicketRefusal } from './session-tickets';

/** Options of {@link pscRoutes}. */
export interface PscRoutesOptions {
  /** The PSC client (one per connector). Absent (PSC not configured or unreachable at start-up): the /api/psc/session
   * routes answer PSC_DISABLED and /psc/* is not served. */
  readonly client?: PscClient;
  /** Entra token verifier of the add-in's calls; absent ⇒ the API answers SENDING_DISABLED (no identity to bind). */
  readonly verify?: EntraVerifier;
  /** [origin of the request] Public HTTPS origin of the connector (server.publicUrl): base of the start url. */
  readonly publicUrl?: string;
  /** [120000] Validity of a sign-in ticket, ms (psc.ticketTtlSeconds). */
  readonly ticketTtlMs?: number;
  /** [false] Accept `/psc/start?user=<id>` (identity from the query: development only, psc.allowUserQuery). */
  readonly allowUserQuery?: boolean;
  /** [Date.now] Clock, ms. */
  readonly now?: () => number;
}

interface StartQuery {
  ticket?: string;
  user?: string;
  login_hint?: string;
}

const line = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '^[^\\r\\n]+$' }) as const;

const startSchema = {
  querystring: {
    type: 'object',
    properties: { ticket: line(200), user: line(320), login_hint: line(320) },
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

const sessionReply = {
  type: 'object',
  additionalProperties: false,
  required: ['connected'],
  properties: { connected: { type: 'boolean' }, expiresAt: { type: 'string' }, revoked: { type: 'boolean' } },
} as const;

const postSchema = {
  response: {
    200: { type: 'object', additionalProperties: false, required: ['url', 'expiresInS'], properties: { url: { type: 'string' }, expiresInS: { type: 'integer' } } },
  },
} as const;

/** French text of each refused start link: what happened and what to do. */
const START_REFUSALS: Record<TicketRefusal | 'missing', { code: string; title: string; text: string }> = {
  missing: {
    code: 'PSC_TICKET_REQUIRED',
    title: 'Connexion impossible',
    text: 'Ce lien de connexion est incomplet. Fermez cette fenêtre et cliquez sur « Se connecter avec Pro Santé Connect » dans le complément MSSanté d\'Outlook.',
  },
  unknown: {
    code: 'PSC_TICKET_UNKNOWN',
    title: 'Lien de connexion inconnu',
    text: 'Ce lien de connexion n\'est pas reconnu (il a peut-être été ouvert sur un autre serveur, ou le connecteur a redémarré). Fermez cette fenêtre et cliquez de nouveau sur « Se connecter avec Pro Santé Connect » dans le complément MSSanté d\'Outlook.',
  },
  used: {
    code: 'PSC_TICKET_USED',
    title: 'Lien de connexion déjà utilisé',
    text: 'Ce lien de connexion a déjà servi : chaque lien ne fonctionne qu\'une fois. Fermez cette fenêtre et cliquez de nouveau sur « Se connecter avec Pro Santé Connect » dans le complément MSSanté d\'Outlook.',
  },
  expired: {
    code: 'PSC_TICKET_EXPIRED',
    title: 'Lien de connexion expiré',
    text: 'Ce lien de connexion a expiré (il n\'est valable que quelques minutes). Fermez cette fenêtre et cliquez de nouveau sur « Se connecter avec Pro Santé Connect » dans le complément MSSanté d\'Outlook.',
  },
};

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page shown in the Office dialog. It tells the add-in the outcome (`{type:'psc', status, code?}`, a code only)
 * through Office.context.ui.messageParent, which needs office.js in the dialog page (served by the connector under
 * /office-js/, same origin as the add-in); opened outside Office, the page is just read.
 */
function dialogPage(title: string, text: string, outcome: { status: 'ok' } | { status: 'error'; code: string }): string {
  const message = JSON.stringify(JSON.stringify({ type: 'psc', ...outcome }));
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<script src="/office-js/office.js"></script></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; line-height: 1.5"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>
<script>(function(){var m=${message};function send(){try{if(window.Office&&Office.context&&Office.context.ui){Office.context.ui.messageParent(m);}}catch(e){}}
try{if(window.Office&&Office.onReady){Office.onReady(send);}else{send();}}catch(e){}})();</script>
</body></html>`;
}

/** The JSON parser of this plugin: like Fastify's, but an empty body is "no body" (the POST carries none). */
function tolerateEmptyJson(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('invalid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }), undefined);
    }
  });
}

/** Fastify plugin with the PSC sign-in routes. buildApp registers it with the Entra verifier and the settings. */
export function pscRoutes(opts: PscRoutesOptions): FastifyPluginAsync {
  const tickets = new PscTickets({ ttlMs: opts.ticketTtlMs ?? 120_000, ...(opts.now ? { now: opts.now } : {}) });
  const configuredOrigin = opts.publicUrl?.replace(/\/+$/, '');
  return async (app) => {
    tolerateEmptyJson(app);
    const clientOrDisabled = (): PscClient => {
      if (!opts.client) throw new ApiError('PSC_DISABLED');
      return opts.client;
    };

    // ---- API of the add-in (Entra bearer) ------------------------------------------------------------------
    app.post('/api/psc/session', { schema: postSchema }, async (request, reply) => {
      const who = await bearerIdentity(request, opts.verify);
      clientOrDisabled();
      const { ticket } = tickets.issue(who.oid);
      request.log.info({ event: 'psc.ticket.issued' }, 'lien de connexion Pro Santé Connect remis');
      const origin = configuredOrigin ?? `${request.protocol}://${request.host}`;
      return reply.header('cache-control', 'no-store').send({ url: `${origin}/psc/start?ticket=${ticket}`, expiresInS: Math.round(tickets.ttlMs / 1000) });
    });

    app.get('/api/psc/session', { schema: { response: { 200: sessionReply } } }, async (request, reply) => {
      const who = await bearerIdentity(request, opts.verify);
      const info = clientOrDisabled().sessionInfo(who.oid);
      return reply.header('cache-control', 'no-store').send({ connected: info.connected, ...(info.expiresAt !== undefined ? { expiresAt: new Date(info.expiresAt).toISOString() } : {}) });
    });

    app.delete('/api/psc/session', { schema: { response: { 200: sessionReply } } }, async (request, reply) => {
      const who = await bearerIdentity(request, opts.verify);
      const { revoked } = await clientOrDisabled().signOut(who.oid);
      return reply.header('cache-control', 'no-store').send({ connected: false, revoked });
    });

    const client = opts.client;
    if (!client) return;

    // ---- the Office dialog ---------------------------------------------------------------------------------
    app.get<{ Querystring: StartQuery }>('/psc/start', { schema: startSchema }, async (request, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      let userId: string | undefined;
      let refusal: keyof typeof START_REFUSALS | undefined;
      if (request.query.ticket !== undefined) {
        const consumed = tickets.consume(request.query.ticket);
        if (consumed.ok) userId = consumed.userId;
        else refusal = consumed.reason;
      } else if (request.query.user !== undefined && opts.allowUserQuery) {
        userId = request.query.user; // development only (psc.allowUserQuery)
      } else {
        refusal = 'missing';
      }
      if (userId === undefined) {
        const r = START_REFUSALS[refusal ?? 'missing'];
        request.log.info({ event: 'psc.start.refused', code: r.code }, 'lien de connexion Pro Santé Connect refusé');
        return reply.code(400).type('text/html; charset=utf-8').send(dialogPage(r.title, r.text, { status: 'error', code: r.code }));
      }
      const { authorizationUrl } = client.beginLogin(userId, request.query.login_hint ? { loginHint: request.query.login_hint } : {});
      return reply.code(302).redirect(authorizationUrl);
    });

    app.get<{ Querystring: Record<string, string | undefined> }>('/psc/callback', { schema: callbackSchema }, async (request, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      try {
        await client.completeLogin(request.query);
        return reply.type('text/html; charset=utf-8').send(dialogPage('Connecté à Pro Santé Connect', 'Vous pouvez fermer cette fenêtre et revenir à Outlook. Vos messages MSSanté en attente vont partir.', { status: 'ok' }));
      } catch (err) {
        const e = err instanceof TransportError ? err : new TransportError('PSC_UNAVAILABLE', { cause: err });
        const status = e.code === 'PSC_UNAVAILABLE' ? 502 : 400;
        return reply.code(status).type('text/html; charset=utf-8').send(dialogPage('Connexion Pro Santé Connect impossible', TRANSPORT_ERRORS[e.code], { status: 'error', code: e.code }));
      }
    });
  };
}
