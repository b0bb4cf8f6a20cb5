// Runtime: browser (harness page /harness.html, served by the connector in development). Owns the one FakeMailbox
// that the task pane iframe and the event-runtime iframe reach through window.parent.__mssHarness.
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { FakeMailbox } from './fake-mailbox';
import type {} from './bridge';
import { HarnessApp } from './HarnessApp';

// ?theme=dark simulates Outlook's dark theme (Office.context.officeTheme) for the task pane; ?to=a@x,b@y starts the
// message with these recipients (demonstrations, bench/taskpane.mjs).
const query = new URLSearchParams(window.location.search);
const mailbox = new FakeMailbox({ darkTheme: query.get('theme') === 'dark' });
const initialTo = (query.get('to') ?? '').split(',').map((a) => a.trim()).filter((a) => a.length > 0).slice(0, 100);
if (initialTo.length > 0) mailbox.setRecipients('to', initialTo);
// Set before any iframe loads: the iframes are created by the render below.
window.__mssHarness = { mailbox };

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <FluentProvider theme={webLightTheme}>
        <HarnessApp mailbox={mailbox} />
      </FluentProvider>
    </StrictMode>,
  );
}
