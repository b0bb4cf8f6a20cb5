// Runtime: browser (task pane). The Office side of signing in: whether the host brokers tokens for nested app
// authentication (NestedAppAuth 1.1, OUTLOOK.md §3.1), and the Office dialog used as the fallback (Dialog API 1.1:
// Office.context.ui.displayDialogAsync; the dialog page signs in with standard MSAL and sends the token back with
// Office.context.ui.messageParent, OUTLOOK.md §3.2).

/** True when Outlook can broker tokens for MSAL's nested app authentication. */
export function supportsNestedAppAuth(office: typeof Office | undefined): boolean {
  try {
    return !!office?.context?.requirements?.isSetSupported('NestedAppAuth', '1.1');
  } catch {
    return false;
  }
}

/** What the sign-in dialog page sends back with messageParent (JSON). */
export type DialogAuthMessage = { readonly accessToken: string } | { readonly error: string };

/**
 * Opens `url` in an Office dialog and resolves with the first message the page sends (messageParent); the dialog is
 * closed then. Rejects when the dialog cannot open or the user closes it (Office event 12006).
 */
export function openOfficeDialog(office: typeof Office, url: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    office.context.ui.displayDialogAsync(url, { height: 60, width: 30, promptBeforeOpen: false }, (result) => {
      if (result.status !== office.AsyncResultStatus.Succeeded) {
        reject(new Error(`displayDialogAsync : ${result.error?.message ?? 'échec'}`));
        return;
      }
      const dialog = result.value;
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        try {
          dialog.close();
        } catch {
          // already closed by the user
        }
        fn();
      };
      dialog.addEventHandler(office.EventType.DialogMessageReceived, (arg) => {
        const message = (arg as { message?: string }).message ?? '';
        finish(() => resolve(message));
      });
      dialog.addEventHandler(office.EventType.DialogEventReceived, () => finish(() => reject(new Error('fenêtre fermée'))));
    });
  });
}

/**
 * Opens `url` in an Office dialog and resolves with the access token the page sends back. Rejects when the dialog
 * cannot open, the user closes it (Office event 12006), or the page reports an error.
 */
export async function signInWithOfficeDialog(office: typeof Office, url: string): Promise<string> {
  const message = await openOfficeDialog(office, url).catch((err: unknown) => {
    throw new Error(err instanceof Error && err.message === 'fenêtre fermée' ? 'fenêtre de connexion fermée' : String(err instanceof Error ? err.message : err));
  });
  let parsed: DialogAuthMessage | undefined;
  try {
    parsed = JSON.parse(message) as DialogAuthMessage;
  } catch {
    parsed = undefined;
  }
  if (parsed && 'accessToken' in parsed && typeof parsed.accessToken === 'string') return parsed.accessToken;
  throw new Error(parsed && 'error' in parsed ? parsed.error : 'réponse de connexion illisible');
}
