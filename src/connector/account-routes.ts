// Runtime: Node (connector). What the task pane asks about the signed-in user before sending, as a Fastify plugin
// that buildApp registers:
//   GET /api/mailboxes    (Entra bearer, as messages-routes.ts) → { mailboxes: [{ address, type, label? }] }: the
//                         MSSanté mailboxes the configuration (`senders`) grants this user, typed PER / ORG / APP
//                         from the directory (via the classifier), labelled with the directory's name when known;
//   GET /api/auth/config  (public, no token) → what the pane's MSAL needs (public values only, never a secret):
//                         { configured: true, clientId, authority, scopes, dialogUrl? } from `entra.*`, or
//                         { configured: false, message } (French) when sending is not set up on this connector.
// Logs: counts only, never an address.

import type { FastifyInstance } from 'fastify';
import type { Classification, MailboxType } from '../core';
import { bearerIdentity, mailboxesOf, type EntraVerifier, type SenderRule } from './auth';
import type { Config } from './config';

/** The types the pane distinguishes: personal (a `CAB` practice mailbox counts as personal), organisational, applicative. */
export type SenderMailboxType = 'PER' | 'ORG' | 'APP';

/** One mailbox of `GET /api/mailboxes`. */
export interface SenderMailboxView {
  readonly address: string;
  readonly type: SenderMailboxType;
  /** The directory's name of the mailbox (person or structure), when known. */
  readonly label?: string;
}

/** `GET /api/auth/config` when sending is configured. */
export interface AuthConfigView {
  readonly configured: true;
  readonly clientId: string;
  readonly authority: string;
  readonly scopes: readonly string[];
  /** The sign-in page of the Office dialog fallback, when configured. */
  readonly dialogUrl?: string;
}

/** `GET /api/auth/config` when it is not: the French sentence the pane shows. */
export interface AuthNotConfiguredView {
  readonly configured: false;
  readonly message: string;
}

/** French sentences of the "not configured" state (the pane shows them as they are). */
export const AUTH_NOT_CONFIGURED_FR = {
  noEntra:
    'L\'envoi en MSSanté n\'est pas configuré sur ce connecteur : la connexion Microsoft Entra ID (entra.tenantId, entra.audience) n\'est pas renseignée. Contactez l\'administrateur du connecteur.',
  noClientId:
    'La connexion du volet n\'est pas configurée sur ce connecteur : l\'identifiant de l\'application de l\'add-in (entra.addinClientId) manque. Contactez l\'administrateur du connecteur.',
} as const;

/** Options of {@link accountRoutes}. */
export interface AccountRoutesOptions {
  readonly entra: Config['entra'];
  readonly verify?: EntraVerifier;
  readonly senders: readonly SenderRule[];
  /** The connector's classifier (directory, trust space): gives the mailbox type and the directory identity. */
  readonly classify: (address: string) => Classification;
}

/** `PER`, `ORG`, `APP` from the directory; a `CAB` mailbox is a personal one; unknown ⇒ `PER` (it needs Pro Santé Connect, the safe side). */
export function senderType(t: MailboxType | undefined): SenderMailboxType {
  switch (t) {
    case 'ORG':
      return 'ORG';
    case 'APP':
      return 'APP';
    case 'PER':
    case 'CAB':
    case undefined:
      return 'PER';
  }
}

/** The mailbox as the pane lists it. */
export function mailboxView(address: string, c: Classification): SenderMailboxView {
  const name = c.directory?.displayName?.trim();
  const organisation = c.directory?.organisation?.trim();
  // an organisational mailbox is named by its service: the structure completes it ("Accueil (DISPOSITIFS SANTE…)")
  const label = name && organisation && organisation !== name ? `${name} (${organisation})` : name || organisation;
  return { address, type: senderType(c.directory?.mailboxType ?? c.mailboxType), ...(label ? { label } : {}) };
}

/** The public sign-in settings, or the French "not configured" state. */
export function authConfigView(entra: Config['entra']): AuthConfigView | AuthNotConfiguredView {
  if (!entra) return { configured: false, message: AUTH_NOT_CONFIGURED_FR.noEntra };
  if (!entra.addinClientId) return { configured: false, message: AUTH_NOT_CONFIGURED_FR.noClientId };
  const apiId = entra.audience.includes('://') ? entra.audience : `api://${entra.audience}`;
  return {
    configured: true,
    clientId: entra.addinClientId,
    authority: entra.authority ?? `https://login.microsoftonline.com/${entra.tenantId}`,
    scopes: [entra.scope ?? `${apiId.replace(/\/$/, '')}/access_as_user`],
    ...(entra.dialogUrl ? { dialogUrl: entra.dialogUrl } : {}),
  };
}

const mailboxesSchema = {
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['mailboxes'],
      properties: {
        mailboxes: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['address', 'type'],
            properties: { address: { type: 'string' }, type: { type: 'string', enum: ['PER', 'ORG', 'APP'] }, label: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

const authConfigSchema = {
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['configured'],
      properties: {
        configured: { type: 'boolean' },
        clientId: { type: 'string' },
        authority: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string' } },
        dialogUrl: { type: 'string' },
        message: { type: 'string' },
      },
    },
  },
} as const;

/** Registers the routes (a Fastify plugin). */
export function accountRoutes(opts: AccountRoutesOptions) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get('/api/mailboxes', { schema: mailboxesSchema }, async (request, reply) => {
      const who = await bearerIdentity(request, opts.verify);
      // configuration order, one entry per mailbox (mailboxesOf lower-cases and de-duplicates)
      const mailboxes = Array.from(mailboxesOf(opts.senders, who)).map((address) => mailboxView(address, opts.classify(address)));
      request.log.info({ count: mailboxes.length }, 'mailboxes_listed');
      void reply.header('cache-control', 'no-store');
      return { mailboxes };
    });

    const view = authConfigView(opts.entra);
    app.get('/api/auth/config', { schema: authConfigSchema }, async (_request, reply) => {
      void reply.header('cache-control', 'no-cache');
      return view;
    });
  };
}
