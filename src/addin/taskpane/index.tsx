// Runtime: browser (task pane inside Outlook, or the harness with the fake Office host). Boots the pane: waits for
// Office.onReady, hands the Office global to the adapter ONCE, then renders with the MailboxPort only.
import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { signInWithOfficeDialog, supportsNestedAppAuth } from '../office/auth-dialog';
import { readHostInfo, type HostInfo } from '../office/host-info';
import { createOfficeMailboxPort } from '../office/office-mailbox';
import { App, NotOutlook } from './App';
import { createTokenProvider, type AuthSettings } from './auth';
import { createConnectorClient, createDirectoryClient, createJsonCall } from './connector-client';
import { createSendClient } from './send-client';
import { MESSAGES, pickLanguage } from './i18n';
import { CORE_LABELS } from './labels';

/** Office.onReady never resolves when office.js cannot reach its host files: stop waiting after this (ms). */
const OFFICE_READY_TIMEOUT_MS = 10_000;

function render(host: HostInfo) {
  const container = document.getElementById('root');
  if (!container) return;
  const lang = pickLanguage(window.location.search, host.displayLanguage);
  document.documentElement.lang = lang;
  const t = MESSAGES[lang];
  document.title = t.appTitle;
  let content: JSX.Element;
  if (host.isOutlook) {
    const call = createJsonCall();
    let settings: Promise<AuthSettings> | undefined;
    const getToken = createTokenProvider({
      // ALIGN with the send pipeline: public sign-in settings served by the connector.
      settings: () => (settings ??= call<AuthSettings>('/api/auth/config', { method: 'GET', headers: { accept: 'application/json' } })),
      naaSupported: supportsNestedAppAuth(Office),
      dialog: (url) => signInWithOfficeDialog(Office, url),
    });
    content = (
      <App
        port={createOfficeMailboxPort(Office)}
        client={createConnectorClient()}
        directory={createDirectoryClient()}
        send={createSendClient({ getToken })}
        t={t}
        labels={CORE_LABELS[lang]}
      />
    );
  } else {
    content = <NotOutlook t={t} />;
  }
  createRoot(container).render(
    <StrictMode>
      <FluentProvider theme={host.darkTheme ? webDarkTheme : webLightTheme}>{content}</FluentProvider>
    </StrictMode>,
  );
}

function boot() {
  if (typeof Office === 'undefined') {
    render(readHostInfo(undefined, undefined));
    return;
  }
  let done = false;
  const timer = setTimeout(() => {
    if (!done) {
      done = true;
      render(readHostInfo(undefined, undefined));
    }
  }, OFFICE_READY_TIMEOUT_MS);
  void Office.onReady().then(
    (info) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      render(readHostInfo(Office, info));
    },
    () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      render(readHostInfo(undefined, undefined));
    },
  );
}

boot();
