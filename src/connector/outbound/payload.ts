// Runtime: Node (connector). What the queue stores for one message: the build input of the message (the
// OutgoingMessage the transport composes with nodemailer, attachments in base64) plus the workstation timestamp
// for the trace. Versioned, so a raw-MIME payload (from the MIME builder of the message part of issue 7) can be
// added as another `kind` without a migration. Never logged, never traced.

import type { OutgoingMessage } from '../transport';

/** Payload version 1: the build input. */
export interface MessagePayload {
  readonly v: 1;
  readonly kind: 'message';
  /** Workstation local time of the user's action (ISO 8601 with offset), for the ANS trace. */
  readonly tsWorkstation?: string;
  readonly message: OutgoingMessage;
}

interface StoredAttachment {
  filename: string;
  contentType?: string;
  base64: string;
}

/**
 * The MIME builder this queue will call once src/connector/mime/ lands (message part of issue 7): the raw message,
 * its Message-ID and SMTP envelope. Not used yet: the transport composes the MIME from the build input today.
 */
export type BuildMime = (message: OutgoingMessage) => Promise<{ readonly raw: Buffer; readonly messageId: string; readonly envelope: { readonly from: string; readonly to: readonly string[] } }>;

/** Serialises a payload (attachments as base64). */
export function encodePayload(p: MessagePayload): string {
  const { attachments, ...rest } = p.message;
  const stored: StoredAttachment[] | undefined = attachments?.map((a) => ({
    filename: a.filename,
    ...(a.contentType ? { contentType: a.contentType } : {}),
    base64: a.content.toString('base64'),
  }));
  return JSON.stringify({ ...p, message: { ...rest, ...(stored ? { attachments: stored } : {}) } });
}

/** Reads a stored payload back. Throws on an unknown version (a newer connector wrote it). */
export function decodePayload(text: string): MessagePayload {
  const raw = JSON.parse(text) as { v: number; kind: string; tsWorkstation?: string; message: Omit<OutgoingMessage, 'attachments'> & { attachments?: StoredAttachment[] } };
  if (raw.v !== 1 || raw.kind !== 'message') throw new Error(`Unknown outbound payload version ${raw.v}/${raw.kind}`);
  const { attachments, ...rest } = raw.message;
  return {
    v: 1,
    kind: 'message',
    ...(raw.tsWorkstation ? { tsWorkstation: raw.tsWorkstation } : {}),
    message: {
      ...rest,
      ...(attachments
        ? { attachments: attachments.map((a) => ({ filename: a.filename, content: Buffer.from(a.base64, 'base64'), ...(a.contentType ? { contentType: a.contentType } : {}) })) }
        : {}),
    },
  };
}
