// Runtime: browser (harness). Runs the REAL built launch-event handler (associated by /launchevent.js inside the
// hidden /harness/commands.html iframe) the way Outlook does on Send, and describes what Outlook would show.
// Dialog buttons follow Outlook on the web / new Outlook (docs/outlook/smart-alerts-onmessagesend-walkthrough.md,
// OUTLOOK.md §1.5–1.6): "Envoyer quand même" only with sendModeOverride PromptUser; the custom button (cancelLabel)
// only when commandId is set; "Ne pas envoyer" always. When the add-in fails, the manifest's SoftBlock applies.
import type {} from './bridge';

/** Manifest `FunctionName` of the OnMessageSend LaunchEvent. */
export const SEND_HANDLER_NAME = 'onMessageSendHandler';
/** Outlook shows "taking longer than expected" after 5 s (OUTLOOK.md §1.6); the harness gives up there. */
export const HANDLER_TIMEOUT_MS = 5_000;

export interface CompletedOptions {
  readonly allowEvent?: boolean;
  readonly errorMessage?: string;
  readonly errorMessageMarkdown?: string;
  readonly cancelLabel?: string;
  readonly commandId?: string;
  readonly contextData?: unknown;
  readonly sendModeOverride?: string;
}

export type SendOutcome =
  | { readonly kind: 'completed'; readonly options: CompletedOptions; readonly completions: () => number }
  | { readonly kind: 'no-handler' }
  | { readonly kind: 'threw'; readonly message: string }
  | { readonly kind: 'timeout' };

function findHandler(frameWindow: Window | null | undefined): ((event: unknown) => void) | undefined {
  try {
    return frameWindow?.__fakeOffice?.handlers.get(SEND_HANDLER_NAME);
  } catch {
    return undefined; // not loaded yet, or navigated away
  }
}

/**
 * Calls the associated send handler with a MailboxEvent-like object, the way Outlook does on Send; resolves at the
 * first completion. Waits for the event runtime to load and associate the handler (as Outlook waits for the add-in),
 * within the same time budget.
 */
export function runSendHandler(frame: () => Window | null | undefined, timeoutMs = HANDLER_TIMEOUT_MS): Promise<SendOutcome> {
  const started = Date.now();
  return new Promise<SendOutcome>((resolve) => {
    const attempt = () => {
      const handler = findHandler(frame());
      if (handler) run(handler);
      else if (Date.now() - started >= timeoutMs) resolve({ kind: 'no-handler' });
      else setTimeout(attempt, 50);
    };
    const run = (handler: (event: unknown) => void) => {
      let count = 0;
      let settled = false;
      const settle = (o: SendOutcome) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(o);
        }
      };
      const timer = setTimeout(() => settle({ kind: 'timeout' }), Math.max(0, timeoutMs - (Date.now() - started)));
      const event = {
        type: 'olkMessageSend',
        completed(options?: CompletedOptions) {
          count += 1;
          settle({ kind: 'completed', options: JSON.parse(JSON.stringify(options ?? {})) as CompletedOptions, completions: () => count });
        },
      };
      try {
        handler(event);
      } catch (err) {
        settle({ kind: 'threw', message: err instanceof Error ? err.message : String(err) });
      }
    };
    attempt();
  });
}

/** Manifest FunctionNames of the informational LaunchEvents (OnMessageRecipientsChanged, OnMessageAttachmentsChanged). */
export const INFO_HANDLER_NAMES = {
  recipients: 'onMessageRecipientsChangedHandler',
  attachments: 'onMessageAttachmentsChangedHandler',
} as const;

/**
 * Fires an informational LaunchEvent the way Outlook does when recipients or attachments change: calls the handler
 * associated in the event runtime with a MailboxEvent-like object (RecipientsChangedEventArgs /
 * AttachmentsChangedEventArgs, d.ts). Resolves with the number of completions after the handler had time to finish
 * (0 when the runtime is not loaded yet: Outlook would load it first; the harness simply skips).
 */
export function runInfoHandler(
  frame: () => Window | null | undefined,
  which: keyof typeof INFO_HANDLER_NAMES,
  timeoutMs = HANDLER_TIMEOUT_MS,
): Promise<number> {
  let handler: ((event: unknown) => void) | undefined;
  try {
    handler = frame()?.__fakeOffice?.handlers.get(INFO_HANDLER_NAMES[which]);
  } catch {
    handler = undefined;
  }
  if (!handler) return Promise.resolve(0);
  return new Promise<number>((resolve) => {
    let count = 0;
    const timer = setTimeout(() => resolve(count), timeoutMs);
    const event =
      which === 'recipients'
        ? { type: 'olkRecipientsChanged', changedRecipientFields: { to: true, cc: true, bcc: true, requiredAttendees: false, optionalAttendees: false, resources: false } }
        : { type: 'olkAttachmentsChanged', attachmentStatus: 'changed', attachmentDetails: undefined };
    try {
      handler!({
        ...event,
        completed() {
          count += 1;
          clearTimeout(timer);
          resolve(count);
        },
      });
    } catch {
      clearTimeout(timer);
      resolve(count);
    }
  });
}

export type AlertButton = 'send-anyway' | 'take-action' | 'dont-send';

/** What Outlook shows for an outcome: nothing (the message leaves) or a dialog. */
export type AlertView =
  | { readonly kind: 'sent' }
  | {
      readonly kind: 'dialog';
      readonly markdown?: string;
      readonly text: string;
      readonly buttons: readonly { readonly id: AlertButton; readonly label: string }[];
    };

const ADDIN_FAILED =
  'Le complément « MSSanté pour Outlook » n’a pas pu vérifier ce message. Vous pouvez réessayer plus tard ou envoyer quand même.';

/** Maps a handler outcome to what Outlook on the web would show. */
export function alertView(outcome: SendOutcome): AlertView {
  if (outcome.kind !== 'completed') {
    // SoftBlock (manifest) when the add-in is unavailable: "Send Anyway" stays possible.
    return {
      kind: 'dialog',
      text: ADDIN_FAILED,
      buttons: [
        { id: 'send-anyway', label: 'Envoyer quand même' },
        { id: 'dont-send', label: 'Ne pas envoyer' },
      ],
    };
  }
  const o = outcome.options;
  if (o.allowEvent) return { kind: 'sent' };
  const buttons: { id: AlertButton; label: string }[] = [];
  if (o.sendModeOverride === 'promptUser') buttons.push({ id: 'send-anyway', label: 'Envoyer quand même' });
  if (o.commandId) buttons.push({ id: 'take-action', label: o.cancelLabel || 'Agir' });
  buttons.push({ id: 'dont-send', label: 'Ne pas envoyer' });
  return {
    kind: 'dialog',
    markdown: o.errorMessageMarkdown,
    text: o.errorMessage || 'Le complément « MSSanté pour Outlook » empêche l’envoi de ce message.',
    buttons,
  };
}

/** One block of the tiny errorMessageMarkdown subset Smart Alerts renders: paragraphs and bullet lists. */
export type MarkdownBlock =
  | { readonly type: 'p'; readonly spans: readonly MarkdownSpan[] }
  | { readonly type: 'ul'; readonly items: readonly (readonly MarkdownSpan[])[] };
export interface MarkdownSpan {
  readonly text: string;
  readonly bold?: boolean;
  readonly italic?: boolean;
}

function spans(line: string): MarkdownSpan[] {
  // Split on unescaped ** and *, then drop backslash escapes.
  const out: MarkdownSpan[] = [];
  let bold = false;
  let italic = false;
  let buf = '';
  const flush = () => {
    if (buf) out.push({ text: buf, bold, italic });
    buf = '';
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\' && i + 1 < line.length) {
      buf += line[++i];
    } else if (ch === '*' && line[i + 1] === '*') {
      flush();
      bold = !bold;
      i++;
    } else if (ch === '*' || ch === '_') {
      flush();
      italic = !italic;
    } else {
      buf += ch;
    }
  }
  flush();
  return out;
}

/**
 * Parses the Smart Alerts Markdown subset (d.ts SmartAlertsEventCompletedOptions.errorMessageMarkdown): `\n\n`
 * separates paragraphs, list items start with `- ` or `* ` and end with `\r`, `**bold**`, `*italic*`, `\` escapes.
 */
export function parseAlertMarkdown(md: string): MarkdownBlock[] {
  const blocks: MarkdownBlock[] = [];
  for (const para of md.split(/\n\n/)) {
    const lines = para.split(/\r\n?|\n|\r/).filter((l) => l.trim().length > 0);
    if (lines.length === 0) continue;
    if (lines.every((l) => /^\s*[-*] /.test(l))) {
      blocks.push({ type: 'ul', items: lines.map((l) => spans(l.replace(/^\s*[-*] /, ''))) });
    } else {
      blocks.push({ type: 'p', spans: spans(lines.join(' ')) });
    }
  }
  return blocks;
}
