// Runtime: Node (connector). POST /api/messages and GET /api/messages/:id: "Envoyer en MSSanté". The caller is
// authenticated by a Microsoft Entra ID token; the sender mailbox must be one the configuration grants them; the
// server re-runs the core `evaluateSend` with the connector's classifier and refuses any recipient outside the
// MSSanté trust space (no open relay); the message and its Idempotency-Key are persisted in one transaction
// (durable queue, outbound/worker.ts relays it), and the answer is 202 { id, status }.

import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { evaluateSend, isTrustedKind, type CandidateRecipient, type Classification, type Policy, type RecipientField } from '../core';
import { bearerIdentity, mailboxesOf, type EntraVerifier, type SenderRule } from './auth';
import { ApiError } from './errors';
import { encodePayload } from './outbound/payload';
import type { OutboundRecord, OutboundStatus, Store } from './store';
import type { OutgoingMessage } from './transport';

/** French label of each status, as the add-in shows it. */
export const STATUS_LABELS_FR: Record<OutboundStatus, string> = {
  submitted: 'reçu',
  queued: 'en attente',
  sending: 'en cours d\'envoi',
  accepted: 'remis à l\'opérateur',
  delivered: 'distribué',
  read: 'lu',
  failed: 'échec',
};

/** Body limit of POST /api/messages: 25 MB of attachments (Mon Espace Santé) in base64, plus the text. */
export const MESSAGE_BODY_LIMIT_BYTES = 36 * 1024 * 1024;
const MAX_RECIPIENTS = 100;
/** How far the workstation clock may be from the server's (ms). */
const MAX_CLOCK_SKEW_MS = 24 * 3_600_000;

const address = { type: 'string', minLength: 3, maxLength: 320, pattern: '^[^\\r\\n]*$' } as const;
const recipients = { type: 'array', items: address, maxItems: MAX_RECIPIENTS } as const;
const messageId = { type: 'string', maxLength: 998, pattern: '^<[^\\r\\n<>]+>$' } as const;

const postSchema = {
  headers: {
    type: 'object',
    properties: { 'idempotency-key': { type: 'string' } },
  },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to', 'subject', 'workstationTime'],
    properties: {
      from: address,
      to: { ...recipients, minItems: 1 },
      cc: recipients,
      bcc: recipients,
      subject: { type: 'string', maxLength: 998, pattern: '^[^\\r\\n]*$' },
      text: { type: 'string', maxLength: 5_000_000 },
      html: { type: 'string', maxLength: 5_000_000 },
      inReplyTo: messageId,
      references: { type: 'array', items: messageId, maxItems: 100 },
      attachments: {
        type: 'array',
        maxItems: 50,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['filename', 'contentBase64'],
          properties: {
            filename: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\r\\n/\\\\]*$' },
            contentType: { type: 'string', maxLength: 255, pattern: '^[\\w.+-]+/[\\w.+-]+$' },
            contentBase64: { type: 'string', maxLength: 35_000_000, pattern: '^[A-Za-z0-9+/=\\s]*$' },
          },
        },
      },
      insQualified: { type: 'boolean' },
      workstationTime: { type: 'string', maxLength: 40 },
    },
  },
} as const;

const getSchema = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } },
} as const;

/** Options of {@link messagesRoutes}. */
export interface MessagesRoutesOptions {
  readonly store: Store;
  readonly verify?: EntraVerifier;
  readonly senders: readonly SenderRule[];
  readonly policy: Policy;
  readonly classify: (address: string) => Classification;
  /** X-MSS-NIL value (ECO.2.4.3), when configured. */
  readonly productReference?: string;
  /** Called after a message was queued (wakes the worker). */
  readonly onQueued?: () => void;
  readonly now?: () => Date;
}

/** `2026-03-01T10:00:00+01:00` (offset required): within a day of the server clock. */
export function validWorkstationTime(value: string, now: Date): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return false;
  const t = Date.parse(value);
  return Number.isFinite(t) && Math.abs(t - now.getTime()) <= MAX_CLOCK_SKEW_MS;
}

/** The public view of a queued message (no content, no recipient). */
export function statusView(r: OutboundRecord): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    label: STATUS_LABELS_FR[r.status],
    messageId: r.messageId,
    attempts: r.attempts,
    createdAt: new Date(r.createdAt).toISOString(),
    ...(r.acceptedAt !== undefined ? { acceptedAt: new Date(r.acceptedAt).toISOString() } : {}),
    ...(r.lastError ? { error: { code: r.lastError.code, message: r.lastError.message } } : {}),
  };
}

/** Registers the routes (a Fastify plugin). */
export function messagesRoutes(opts: MessagesRoutesOptions) {
  const now = opts.now ?? (() => new Date());
  return async function plugin(app: FastifyInstance): Promise<void> {
    const api = app.withTypeProvider<JsonSchemaToTsProvider>();

    api.post('/api/messages', { schema: postSchema, bodyLimit: MESSAGE_BODY_LIMIT_BYTES }, async (request, reply) => {
      const who = await bearerIdentity(request, opts.verify);
      const body = request.body;
      const mailbox = body.from.trim().toLowerCase();
      if (!mailboxesOf(opts.senders, who).has(mailbox)) throw new ApiError('SENDER_NOT_ALLOWED');
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key)) throw new ApiError('IDEMPOTENCY_KEY_REQUIRED');
      const at = now();
      if (!validWorkstationTime(body.workstationTime, at)) throw new ApiError('WORKSTATION_TIME_INVALID');

      // the same rules as the add-in, again, on the server: one rule set, three surfaces
      const fields: [RecipientField, readonly string[] | undefined][] = [['to', body.to], ['cc', body.cc], ['bcc', body.bcc]];
      const candidates: CandidateRecipient[] = [];
      const outside: { field: RecipientField; index: number; kind: string }[] = [];
      for (const [field, list] of fields) {
        (list ?? []).forEach((a, index) => {
          const classification = opts.classify(a);
          candidates.push({ field, classification });
          if (!isTrustedKind(classification.kind)) outside.push({ field, index, kind: classification.kind });
        });
      }
      if (outside.length > 0) {
        throw new ApiError('RECIPIENT_OUTSIDE_TRUST_SPACE', undefined, { recipients: outside });
      }
      const verdict = evaluateSend(
        {
          recipients: candidates,
          content: { subject: body.subject, bodyText: body.text ?? '', attachmentNames: (body.attachments ?? []).map((a) => a.filename) },
          ...(body.insQualified !== undefined ? { insQualified: body.insQualified } : {}),
        },
        opts.policy,
      );
      if (verdict.action === 'block') {
        throw new ApiError('SEND_BLOCKED_BY_POLICY', verdict.reasons.find((r) => r.action === 'block')?.message, { reasons: verdict.reasons.map((r) => ({ code: r.code, action: r.action })) });
      }

      const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const id = randomUUID();
      const domain = mailbox.slice(mailbox.lastIndexOf('@') + 1);
      const message: OutgoingMessage = {
        from: mailbox,
        to: body.to,
        ...(body.cc ? { cc: body.cc } : {}),
        ...(body.bcc ? { bcc: body.bcc } : {}),
        subject: body.subject,
        ...(body.text !== undefined ? { text: body.text } : {}),
        ...(body.html !== undefined ? { html: body.html } : {}),
        ...(opts.productReference ? { headers: { 'X-MSS-NIL': opts.productReference } } : {}),
        ...(body.attachments ? { attachments: body.attachments.map((a) => ({ filename: a.filename, content: Buffer.from(a.contentBase64, 'base64'), ...(a.contentType ? { contentType: a.contentType } : {}) })) } : {}),
        ...(body.inReplyTo ? { inReplyTo: body.inReplyTo } : {}),
        ...(body.references ? { references: body.references } : {}),
      };
      const { created, record } = await opts.store.enqueueOutbound({
        id,
        mailbox,
        authorId: who.oid,
        idempotencyKey: key,
        requestHash,
        messageId: `<${id}@${domain}>`,
        payload: encodePayload({ v: 1, kind: 'message', tsWorkstation: body.workstationTime, message }),
        recipientsCount: candidates.length,
        now: at.getTime(),
      });
      if (!created && record.requestHash !== requestHash) throw new ApiError('IDEMPOTENCY_KEY_CONFLICT');
      if (created) opts.onQueued?.();
      request.log.info({ id: record.id, created, recipients: candidates.length }, 'message_queued');
      return reply.code(202).send({ id: record.id, status: record.status, label: STATUS_LABELS_FR[record.status], messageId: record.messageId });
    });

    api.get('/api/messages/:id', { schema: getSchema }, async (request) => {
      const who = await bearerIdentity(request, opts.verify);
      const record = await opts.store.getOutbound(request.params.id);
      if (!record || (record.authorId !== who.oid && !mailboxesOf(opts.senders, who).has(record.mailbox))) throw new ApiError('MESSAGE_NOT_FOUND');
      return statusView(record);
    });
  };
}
