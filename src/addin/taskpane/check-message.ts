// Runtime: browser (task pane) and node tests. One check of the current message: read it through the MailboxPort,
// classify its recipients with the connector, detect health data and evaluate the policy locally with the core
// (the same evaluateSend as the Smart Alerts handler and the connector).
import {
  detectHealthData,
  evaluateSend,
  RECIPIENT_FIELDS,
  type Classification,
  type RecipientField,
  type Verdict,
} from '../../core';
import type { MailboxPort, RecipientInfo } from '../office/mailbox-port';
import { ConnectorError, type ConnectorClient, type PolicyInfo } from './connector-client';

export interface RecipientRow {
  readonly field: RecipientField;
  readonly info: RecipientInfo;
  /** Absent when the connector could not be reached. */
  readonly classification?: Classification;
}

export type CheckProblem =
  | { readonly kind: 'mailbox'; readonly code: string }
  | { readonly kind: 'connector'; readonly code: 'CONNECTOR_UNREACHABLE' | 'CONNECTOR_REJECTED'; readonly serverCode?: string };

export interface CheckResult {
  readonly mode: MailboxPort['mode'];
  readonly rows: readonly RecipientRow[];
  /** Absent when there is no recipient or the check could not complete. */
  readonly verdict?: Verdict;
  readonly problem?: CheckProblem;
}

export interface CheckDeps {
  readonly port: MailboxPort;
  readonly client: ConnectorClient;
  /** Returns the policy (the hook caches it between checks). */
  readonly getPolicy: () => Promise<PolicyInfo>;
}

function connectorProblem(err: unknown): CheckProblem {
  if (err instanceof ConnectorError && err.code === 'CONNECTOR_REJECTED') {
    return { kind: 'connector', code: 'CONNECTOR_REJECTED', serverCode: err.serverCode };
  }
  return { kind: 'connector', code: 'CONNECTOR_UNREACHABLE' };
}

/** Checks the current message once. Never rejects: problems come back as values. */
export async function checkMessage({ port, client, getPolicy }: CheckDeps): Promise<CheckResult> {
  let recipients: Record<RecipientField, RecipientInfo[]>;
  let subject: string;
  let bodyText: string;
  let attachmentNames: string[];
  try {
    [recipients, subject, bodyText, attachmentNames] = await Promise.all([
      port.getRecipients(),
      port.getSubject(),
      port.getBodyText(),
      port.getAttachmentNames().catch(() => [] as string[]), // Mailbox < 1.8: scan without attachment names
    ]);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    return { mode: port.mode, rows: [], problem: { kind: 'mailbox', code: typeof code === 'string' ? code : 'UNKNOWN' } };
  }

  const unclassified: RecipientRow[] = RECIPIENT_FIELDS.flatMap((field) =>
    (recipients[field] ?? []).map((info) => ({ field, info })),
  );
  if (unclassified.length === 0) return { mode: port.mode, rows: [] };

  // One classification per distinct address; the connector answers in order.
  const distinct = Array.from(new Set(unclassified.map((r) => r.info.emailAddress)));
  let byAddress: Map<string, Classification>;
  let policy: PolicyInfo;
  try {
    const [classifications, policyInfo] = await Promise.all([client.classify(distinct), getPolicy()]);
    byAddress = new Map(distinct.map((a, i) => [a, classifications[i]]));
    policy = policyInfo;
  } catch (err) {
    return { mode: port.mode, rows: unclassified, problem: connectorProblem(err) };
  }

  const rows = unclassified.map((r) => ({ ...r, classification: byAddress.get(r.info.emailAddress) }));
  const detection = detectHealthData({ subject, bodyText, attachmentNames });
  const verdict = evaluateSend(
    {
      recipients: rows.flatMap((r) => (r.classification ? [{ field: r.field, classification: r.classification }] : [])),
      detection,
    },
    policy.policy,
  );
  return { mode: port.mode, rows, verdict };
}
