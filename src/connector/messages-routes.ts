// Runtime: Node (connector). POST /api/messages and GET /api/messages/:id: "Envoyer en MSSanté". The caller is
// authenticated by a Microsoft Entra ID token; the sender mailbox must be one the configuration grants them; the
// server re-runs the core `evaluateSend` with the connector's classifier and refuses any recipient outside the
// MSSanté trust space (no open relay). The wire contract is src/core/send-contract.ts (SendMessageWire): the patient
// (INS checked by the core), `endOfExchange` (X-MSS-MES: FIN, patients only), `readReceipt` (default true), CDA
// attachments flagged `xdm` packed into ONE IHE_XDM.zip (qualified INS required). The MIME is built once here
// (mime/build-message.ts: every MSSanté rule and the size limit answered now, in French) and the build input is queued
// (payload v2) with its Idempotency-Key in one transaction; outbound/worker.ts builds it again at send time with the
// same Message-ID and Date. The answer is 202 { id, status, label, messageId }.

import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import {
  buildDocumentSubject,
  DEFAULT_OPERATOR_MAX_MESSAGE_BYTES,
  evaluateSend,
  formatBirthDateFr,
  isPatientAddress,
  isTrustedKind,
  MES_MAX_MESSAGE_BYTES,
  parseSubjectConventions,
  SEND_STATUS_LABELS_FR,
  validateInsMatricule,
  type CandidateRecipient,
  type Classification,
  type Policy,
  type RecipientField,
  type SendAcceptedWire,
  type SendMessageWire,
} from '../core';
import { bearerIdentity, mailboxesOf, type EntraVerifier, type SenderRule } from './auth';
import { ApiError } from './errors';
import { buildMessage, type BuildMessageError, type MessageAttachment } from './mime/build-message';
import { encodePayload, type QueuedBuildInput } from './outbound/payload';
import { packXdm } from './xdm';
import { recipientStates, type OutboundRecord, type OutboundStatus, type ReceiptRecord, type RecipientState, type Store } from './store';

/** French label of each status, as the add-in shows it (the wire contract's, src/core/send-contract.ts). */
export const STATUS_LABELS_FR: Readonly<Record<OutboundStatus, string>> = SEND_STATUS_LABELS_FR;

/** Body limit of POST /api/messages: 25 MB of attachments (Mon Espace Santé) in base64, plus the text. */
export const MESSAGE_BODY_LIMIT_BYTES = 36 * 1024 * 1024;
const MAX_RECIPIENTS = 100;
/** How far the workstation clock may be from the server's (ms). */
const MAX_CLOCK_SKEW_MS = 24 * 3_600_000;

const address = { type: 'string', minLength: 3, maxLength: 320, pattern: '^[^\\r\\n]*$' } as const;
const recipients = { type: 'array', items: address, maxItems: MAX_RECIPIENTS } as const;
const messageId = { type: 'string', maxLength: 998, pattern: '^<[^\\r\\n<>]+>$' } as const;
const traitText = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\r\\n]*$' } as const;

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
            xdm: { type: 'boolean' },
          },
        },
      },
      insQualified: { type: 'boolean' },
      patient: {
        type: 'object',
        additionalProperties: false,
        required: ['ins', 'insQualified', 'birthName', 'firstNames', 'birthDate', 'sex'],
        properties: {
          ins: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[^\\r\\n]*$' },
          insQualified: { type: 'boolean' },
          birthName: traitText,
          firstNames: traitText,
          birthDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
          sex: { type: 'string', enum: ['F', 'M'] },
        },
      },
      endOfExchange: { type: 'boolean' },
      readReceipt: { type: 'boolean' },
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
  /** X-MSS-NIL value (ECO.2.4.3); without it, sending is refused (PRODUCT_REFERENCE_MISSING). */
  readonly productReference?: string;
  /** The operator's message size limit, bytes. Default: the core's DEFAULT_OPERATOR_MAX_MESSAGE_BYTES (10 MB). */
  readonly operatorMaxBytes?: number;
  /** SubmissionSet sourceId of the IHE_XDM packages (the sending system's OID). Default: a `2.25.<uuid>` OID. */
  readonly xdmSourceId?: string;
  /**
   * The directory's "did you mean" (DirectoryService.suggestMssanteAddress: the structure's correspondence table, then
   * the directory by name): the MSSanté address of the person or service behind a non-MSSanté recipient, given back
   * in RECIPIENT_OUTSIDE_TRUST_SPACE's details so the add-in can offer the one-click replacement.
   */
  readonly suggestMssanteAddress?: (recipient: Classification) => string | undefined;
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

/** One recipient's receipt state, as GET /api/messages/:id shows it (from the DSN / MDN read by the poller). */
export interface RecipientView {
  readonly address: string;
  readonly state: RecipientState;
  /** ISO 8601 UTC time the report was read. */
  readonly at: string;
  /** French explanation (failed, delayed). */
  readonly message?: string;
}

/** The strongest report per recipient (store/receipts.ts recipientStates), in the order they first reported. */
export function recipientsView(receipts: readonly ReceiptRecord[]): RecipientView[] {
  const states = recipientStates(receipts);
  return [...states].map(([address, s]) => {
    const row = [...receipts].reverse().find((r) => r.recipient === address && r.state === s.state && r.receivedAt === s.at);
    return {
      address,
      state: s.state,
      at: new Date(s.at).toISOString(),
      ...(row && (s.state === 'failed' || s.state === 'delayed') ? { message: row.explanation } : {}),
    };
  });
}

/**
 * The public view of a queued message (no content). With `receipts` (GET /api/messages/:id, the caller's own
 * message), also `recipients`: the state each recipient's receipts give.
 */
export function statusView(r: OutboundRecord, receipts?: readonly ReceiptRecord[]): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    label: STATUS_LABELS_FR[r.status],
    messageId: r.messageId,
    attempts: r.attempts,
    createdAt: new Date(r.createdAt).toISOString(),
    ...(r.acceptedAt !== undefined ? { acceptedAt: new Date(r.acceptedAt).toISOString() } : {}),
    ...(r.lastError ? { error: { code: r.lastError.code, message: r.lastError.message } } : {}),
    ...(receipts ? { recipients: recipientsView(receipts) } : {}),
  };
}

/** Checks the patient of a send: the matricule INS (core `validateInsMatricule`) and the four traits. */
function checkPatient(p: NonNullable<SendMessageWire['patient']>): void {
  const check = validateInsMatricule(p.ins.trim().toUpperCase());
  if (!check.valid) throw new ApiError('PATIENT_INS_INVALID', check.message, { field: 'patient.ins', reason: check.code });
  if (!formatBirthDateFr(p.birthDate)) {
    throw new ApiError('PATIENT_TRAITS_INVALID', 'La date de naissance du patient n\'est pas une date valide (AAAA-MM-JJ attendu).', { field: 'patient.birthDate' });
  }
  for (const field of ['birthName', 'firstNames'] as const) {
    if (p[field].trim() === '') throw new ApiError('PATIENT_TRAITS_INVALID', undefined, { field: `patient.${field}` });
  }
}

/** The INS traits as METADATA.XML takes them (sourcePatientInfo): birth name, FIRST given name, YYYYMMDD, sex. */
function traitsOf(p: NonNullable<SendMessageWire['patient']>): { familyName: string; givenName: string; birthDate: string; sex: 'F' | 'M' } {
  return { familyName: p.birthName.trim(), givenName: p.firstNames.trim().split(/\s+/)[0], birthDate: p.birthDate.replace(/-/g, ''), sex: p.sex };
}

/** Maps the MIME builder's errors (core MSS_* rules, MIME input) onto one API error. */
function buildError(errors: readonly BuildMessageError[], recipients: readonly string[], operatorMaxBytes: number | undefined): ApiError {
  const size = errors.find((e) => e.code === 'MSS_SIZE_OPERATOR' || e.code === 'MSS_SIZE_PATIENT');
  if (size) {
    const operator = operatorMaxBytes ?? DEFAULT_OPERATOR_MAX_MESSAGE_BYTES;
    const limitBytes = recipients.some(isPatientAddress) ? Math.min(operator, MES_MAX_MESSAGE_BYTES) : operator;
    return new ApiError('MESSAGE_TOO_LARGE', size.message, { reason: size.code, limitBytes });
  }
  const fin = errors.find((e) => e.code === 'MSS_MES_NOT_PATIENT');
  if (fin) return new ApiError('END_OF_EXCHANGE_NOT_PATIENT', fin.message);
  return new ApiError('MESSAGE_INVALID', errors[0]?.message, { errors: errors.map((e) => ({ code: e.code, ...(e.field ? { field: e.field } : {}) })) });
}

/** Registers the routes (a Fastify plugin). */
export function messagesRoutes(opts: MessagesRoutesOptions) {
  const now = opts.now ?? (() => new Date());
  return async function plugin(app: FastifyInstance): Promise<void> {
    const api = app.withTypeProvider<JsonSchemaToTsProvider>();

    api.post('/api/messages', { schema: postSchema, bodyLimit: MESSAGE_BODY_LIMIT_BYTES }, async (request, reply) => {
      const who = await bearerIdentity(request, opts.verify);
      // the schema's type must be the shared wire contract (src/core/send-contract.ts): the compiler checks it here
      const body: SendMessageWire = request.body;
      const mailbox = body.from.trim().toLowerCase();
      if (!mailboxesOf(opts.senders, who).has(mailbox)) throw new ApiError('SENDER_NOT_ALLOWED');
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key)) throw new ApiError('IDEMPOTENCY_KEY_REQUIRED');
      const at = now();
      if (!validWorkstationTime(body.workstationTime, at)) throw new ApiError('WORKSTATION_TIME_INVALID');

      // the same rules as the add-in, again, on the server: one rule set, three surfaces
      const fields: [RecipientField, readonly string[] | undefined][] = [['to', body.to], ['cc', body.cc], ['bcc', body.bcc]];
      const candidates: CandidateRecipient[] = [];
      const outside: { field: RecipientField; index: number; kind: string; suggestion?: string }[] = [];
      for (const [field, list] of fields) {
        (list ?? []).forEach((a, index) => {
          const classification = opts.classify(a);
          candidates.push({ field, classification });
          if (!isTrustedKind(classification.kind)) {
            // a gateway address carries the real MSSanté address; otherwise ask the directory (never the user's input)
            const suggestion = classification.kind === 'gateway' ? classification.decodedAddress : opts.suggestMssanteAddress?.(classification);
            outside.push({ field, index, kind: classification.kind, ...(suggestion ? { suggestion } : {}) });
          }
        });
      }
      if (outside.length > 0) {
        throw new ApiError('RECIPIENT_OUTSIDE_TRUST_SPACE', undefined, { recipients: outside });
      }
      // the patient: INS checked by the core, traits complete; patient.insQualified wins over the top-level flag
      const patient = body.patient;
      if (patient) checkPatient(patient);
      const insQualified = patient ? patient.insQualified : body.insQualified;
      const verdict = evaluateSend(
        {
          recipients: candidates,
          content: { subject: body.subject, bodyText: body.text ?? '', attachmentNames: (body.attachments ?? []).map((a) => a.filename) },
          ...(insQualified !== undefined ? { insQualified } : {}),
        },
        opts.policy,
        opts.suggestMssanteAddress ? { suggestMssanteAddress: opts.suggestMssanteAddress } : undefined,
      );
      if (verdict.action === 'block') {
        throw new ApiError('SEND_BLOCKED_BY_POLICY', verdict.reasons.find((r) => r.action === 'block')?.message, { reasons: verdict.reasons.map((r) => ({ code: r.code, action: r.action })) });
      }
      // X-MSS-NIL goes on every message (ECO.2.4.3): no reference configured, no sending
      const productReference = opts.productReference;
      if (!productReference) throw new ApiError('PRODUCT_REFERENCE_MISSING');

      const id = randomUUID();
      const domain = mailbox.slice(mailbox.lastIndexOf('@') + 1);
      const recipientsAll = [...body.to, ...(body.cc ?? []), ...(body.bcc ?? [])];
      // the CDA documents flagged xdm go into ONE IHE_XDM.zip, packed now (errors answered now, not by the worker)
      const xdmDocs = (body.attachments ?? []).filter((a) => a.xdm === true);
      let xdm: QueuedBuildInput['xdm'];
      let subject = body.subject;
      if (xdmDocs.length > 0) {
        if (!patient || !patient.insQualified) throw new ApiError('XDM_PATIENT_REQUIRED');
        const packed = packXdm({
          cda: xdmDocs.map((a) => ({ xml: Buffer.from(a.contentBase64, 'base64') })),
          patient: { ins: patient.ins.trim(), qualified: true, traits: traitsOf(patient) },
          now: at,
          intendedRecipients: recipientsAll.map((r) => `|^^Internet^${r.trim().toLowerCase()}`),
          ...(opts.xdmSourceId ? { sourceId: opts.xdmSourceId } : {}),
        });
        if (!packed.ok) {
          throw new ApiError('XDM_PACK_FAILED', packed.errors[0]?.message, { problems: packed.errors.map((e) => ({ code: e.code, ...(e.document !== undefined ? { document: e.document } : {}) })) });
        }
        xdm = { zip: packed.zip, cdaCodes: packed.cdaCodes, insQualified: packed.insQualified };
        // ECO.2.1.3: a message carrying documents is titled `XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>`;
        // the user's subject is the libellé (the first CDA's title when it is empty); a subject already in that form is kept
        if (!parseSubjectConventions(subject).documents) {
          const traits = traitsOf(patient);
          const titled = buildDocumentSubject({ label: subject.trim() || packed.metadata.documents[0]?.title || 'Document', familyName: traits.familyName, givenName: traits.givenName, birthDate: patient.birthDate });
          if (!titled.ok) throw new ApiError('PATIENT_TRAITS_INVALID', titled.errors[0]?.message, { field: 'subject' });
          subject = titled.subject;
        }
      }
      const attachments: MessageAttachment[] = (body.attachments ?? [])
        .filter((a) => a.xdm !== true)
        .map((a) => ({ filename: a.filename, content: Buffer.from(a.contentBase64, 'base64'), contentType: a.contentType ?? 'application/octet-stream' }));
      const build: QueuedBuildInput = {
        from: { address: mailbox },
        to: body.to.map((address) => ({ address })),
        ...(body.cc ? { cc: body.cc.map((address) => ({ address })) } : {}),
        ...(body.bcc ? { bcc: body.bcc.map((address) => ({ address })) } : {}),
        subject,
        ...(body.text !== undefined ? { text: body.text } : {}),
        ...(body.html !== undefined ? { html: body.html } : {}),
        ...(attachments.length > 0 ? { attachments } : {}),
        ...(xdm ? { xdm } : {}),
        ...(body.inReplyTo ? { inReplyTo: body.inReplyTo } : {}),
        ...(body.references ? { references: body.references } : {}),
        productReference,
        ...(body.endOfExchange ? { noReply: true } : {}),
        readReceipt: body.readReceipt ?? true,
        deliveryReceipt: true,
        ...(opts.operatorMaxBytes !== undefined ? { operatorMaxBytes: opts.operatorMaxBytes } : {}),
      };
      // built once now with the identity the worker will use: every MSSanté rule and the size limit are answered here
      const messageId = `<${id}@${domain}>`;
      const trial = await buildMessage({ ...build, date: at, messageId, envelopeId: id }, { messageIdDomain: domain });
      if (!trial.ok) throw buildError(trial.errors, recipientsAll, opts.operatorMaxBytes);

      const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const { created, record } = await opts.store.enqueueOutbound({
        id,
        mailbox,
        authorId: who.oid,
        idempotencyKey: key,
        requestHash,
        messageId,
        payload: encodePayload({ v: 2, kind: 'mss', tsWorkstation: body.workstationTime, date: at.toISOString(), build }),
        recipientsCount: candidates.length,
        now: at.getTime(),
      });
      if (!created && record.requestHash !== requestHash) throw new ApiError('IDEMPOTENCY_KEY_CONFLICT');
      if (created) opts.onQueued?.();
      request.log.info({ id: record.id, created, recipients: candidates.length }, 'message_queued');
      const accepted: SendAcceptedWire = { id: record.id, status: record.status, label: STATUS_LABELS_FR[record.status], messageId: record.messageId };
      return reply.code(202).send(accepted);
    });

    api.get('/api/messages/:id', { schema: getSchema }, async (request) => {
      const who = await bearerIdentity(request, opts.verify);
      const record = await opts.store.getOutbound(request.params.id);
      if (!record || (record.authorId !== who.oid && !mailboxesOf(opts.senders, who).has(record.mailbox))) throw new ApiError('MESSAGE_NOT_FOUND');
      return statusView(record, await opts.store.listReceipts(record.id));
    });
  };
}
