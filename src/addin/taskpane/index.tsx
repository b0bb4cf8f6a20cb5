// Runtime: browser (task pane inside Outlook, or the harness with the fake Office host). Boots the pane: waits for
// Office.onReady, hands the Office global to the adapter ONCE, then renders with the MailboxPort only.
import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { StrictMode, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { signInWithOfficeDialog, supportsNestedAppAuth } from '../office/auth-dialog';
import { readHostInfo, type HostInfo } from '../office/host-info';
import type { MailboxPort } from '../office/mailbox-port';
import { createOfficeMailboxPort } from '../office/office-mailbox';
import { App, NotOutlook } from './App';
import { authSettingsOf, createTokenProvider, type AuthConfigAnswer, type AuthSettings } from './auth';
import { createConnectorClient, createDirectoryClient, createJsonCall } from './connector-client';
import { createSendClient } from './send-client';
import { MESSAGES, pickLanguage } from './i18n';
import { CORE_LABELS } from './labels';

/** Office.onReady never resolves when office.js cannot reach its host files: stop waiting after this (ms). */
const OFFICE_READY_TIMEOUT_MS = 10_000;

/** Follows Outlook's theme while the pane is open (OfficeThemeChanged through the port), starting from the one read at start. */
function ThemedRoot({ port, initialDark, children }: { port?: MailboxPort; initialDark: boolean; children: ReactNode }) {
  const [dark, setDark] = useState(initialDark);
  useEffect(() => {
    if (!port) return undefined;
    let unsubscribe: (() => Promise<void>) | undefined;
    let live = true;
    port.onThemeChanged((d) => live && setDark(d)).then(
      (u) => {
        if (live) unsubscribe = u;
        else void u();
      },
      () => undefined,
    );
    return () => {
      live = false;
      if (unsubscribe) void unsubscribe();
    };
  }, [port]);
  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme} data-theme={dark ? 'dark' : 'light'}>
      {children}
    </FluentProvider>
  );
}

function render(host: HostInfo) {
  const container = document.getElementById('root');
  if (!container) return;
  const lang = pickLanguage(window.location.search, host.displayLanguage);
  document.documentElement.lang = lang;
  const t = MESSAGES[lang];
  document.title = t.appTitle;
  let content: JSX.Element;
  let port: MailboxPort | undefined;
  if (host.isOutlook) {
    const call = createJsonCall();
    let settings: Promise<AuthSettings> | undefined;
    const getToken = createTokenProvider({
      // Public sign-in settings served by the connector (GET /api/auth/config); "not configured" is said, not hidden.
      settings: () =>
        (settings ??= call<AuthConfigAnswer>('/api/auth/config', { method: 'GET', headers: { accept: 'application/json' } }).then(authSettingsOf).catch((err: unknown) => {
          settings = undefined; // ask again next time (the connector may come back)
          throw err;
        })),
      naaSupported: supportsNestedAppAuth(Office),
      dialog: (url) => signInWithOfficeDialog(Office, url),
    });
    port = createOfficeMailboxPort(Office);
    content = (
      <App
        port={port}
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
      <ThemedRoot port={port} initialDark={port ? port.isDarkTheme() : host.darkTheme}>
        {content}
      </ThemedRoot>
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
