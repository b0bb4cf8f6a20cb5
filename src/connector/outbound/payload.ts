// Runtime: Node (connector). What the queue stores for one message. Versioned; every version stays readable:
//   v1 `message`: the nodemailer build input the transport composes (OutgoingMessage), written by the first API;
//   v2 `mss`:     the input of mime/build-message.ts (X-MSS-* options, IHE_XDM.zip already packed at acceptance, read
//                 receipt, DSN request, Date fixed at acceptance). The worker builds the MIME at send time with the
//                 queue's fixed Message-ID and ENVID = queue id, so a retry sends the SAME message identity.
// Bytes (attachments, the XDM archive) are stored as base64. Never logged, never traced.

import type { BuildMessageInput, MessageAddress } from '../mime/build-message';
import type { OutgoingMessage } from '../transport';

/** Payload version 1: the nodemailer build input (still read; new messages are written as v2). */
export interface MessagePayload {
  readonly v: 1;
  readonly kind: 'message';
  /** Workstation local time of the user's action (ISO 8601 with offset), for the ANS trace. */
  readonly tsWorkstation?: string;
  readonly message: OutgoingMessage;
}

/** The build input as queued: everything {@link BuildMessageInput} takes except what the queue row fixes. */
export type QueuedBuildInput = Omit<BuildMessageInput, 'date' | 'messageId' | 'envelopeId'>;

/** Payload version 2: the MSSanté MIME build input. */
export interface MssPayload {
  readonly v: 2;
  readonly kind: 'mss';
  readonly tsWorkstation?: string;
  /** `Date:` of the message (ISO 8601), fixed at acceptance: every attempt sends the same one. */
  readonly date: string;
  readonly build: QueuedBuildInput;
}

/** Any payload the queue may hold. */
export type QueuePayload = MessagePayload | MssPayload;

interface StoredAttachment {
  filename: string;
  contentType?: string;
  base64: string;
}

/**
 * The MIME builder this queue calls: the raw message, its Message-ID and SMTP envelope (kept for callers written
 * against the first version of this module; the worker uses mime/build-message.ts).
 */
export type BuildMime = (message: OutgoingMessage) => Promise<{ readonly raw: Buffer; readonly messageId: string; readonly envelope: { readonly from: string; readonly to: readonly string[] } }>;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Serialises a payload (bytes as base64). */
export function encodePayload(p: QueuePayload): string {
  if (p.v === 2) {
    const { attachments, xdm, ...rest } = p.build;
    return JSON.stringify({
      ...p,
      build: {
        ...rest,
        ...(attachments ? { attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, base64: b64(a.content) })) } : {}),
        ...(xdm ? { xdm: { ...xdm, zip: b64(xdm.zip) } } : {}),
      },
    });
  }
  const { attachments, ...rest } = p.message;
  const stored: StoredAttachment[] | undefined = attachments?.map((a) => ({
    filename: a.filename,
    ...(a.contentType ? { contentType: a.contentType } : {}),
    base64: a.content.toString('base64'),
  }));
  return JSON.stringify({ ...p, message: { ...rest, ...(stored ? { attachments: stored } : {}) } });
}

interface StoredV2 {
  v: 2;
  kind: 'mss';
  tsWorkstation?: string;
  date: string;
  build: Omit<QueuedBuildInput, 'attachments' | 'xdm'> & {
    attachments?: { filename: string; contentType: string; base64: string }[];
    xdm?: { zip: string; cdaCodes: string[]; insQualified: boolean; filename?: string };
    from: MessageAddress;
  };
}

/** Reads a stored payload back. Throws on an unknown version (a newer connector wrote it). */
export function decodePayload(text: string): QueuePayload {
  const raw = JSON.parse(text) as { v: number; kind: string };
  if (raw.v === 2 && raw.kind === 'mss') {
    const s = raw as StoredV2;
    const { attachments, xdm, ...rest } = s.build;
    return {
      v: 2,
      kind: 'mss',
      ...(s.tsWorkstation ? { tsWorkstation: s.tsWorkstation } : {}),
      date: s.date,
      build: {
        ...rest,
        ...(attachments ? { attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.base64, 'base64') })) } : {}),
        ...(xdm ? { xdm: { ...xdm, zip: Buffer.from(xdm.zip, 'base64') } } : {}),
      },
    };
  }
  if (raw.v !== 1 || raw.kind !== 'message') throw new Error(`Unknown outbound payload version ${raw.v}/${raw.kind}`);
  const v1 = raw as { v: 1; kind: 'message'; tsWorkstation?: string; message: Omit<OutgoingMessage, 'attachments'> & { attachments?: StoredAttachment[] } };
  const { attachments, ...rest } = v1.message;
  return {
    v: 1,
    kind: 'message',
    ...(v1.tsWorkstation ? { tsWorkstation: v1.tsWorkstation } : {}),
    message: {
      ...rest,
      ...(attachments
        ? { attachments: attachments.map((a) => ({ filename: a.filename, content: Buffer.from(a.base64, 'base64'), ...(a.contentType ? { contentType: a.contentType } : {}) })) }
        : {}),
    },
  };
}
