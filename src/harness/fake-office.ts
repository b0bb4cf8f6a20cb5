// Runtime: browser (harness iframes /harness/taskpane.html and /harness/commands.html). Loaded INSTEAD of office.js:
// defines window.Office over the harness page's FakeMailbox (window.parent, same origin), so the real built task pane
// and the real built launch-event file run unchanged against one shared simulated message. Opened on its own (no
// harness parent), it simulates an empty new message.
import type {} from './bridge';
import { FakeMailbox } from './fake-mailbox';
import { createFakeOffice } from './fake-office-api';

function findMailbox(): FakeMailbox {
  try {
    if (window.parent !== window && window.parent.__mssHarness) return window.parent.__mssHarness.mailbox;
  } catch {
    // cross-origin parent: fall through to a standalone mailbox
  }
  return new FakeMailbox();
}

const handle = createFakeOffice(findMailbox());
(window as unknown as { Office: unknown }).Office = handle.office;
window.__fakeOffice = handle;
window.addEventListener('pagehide', () => handle.dispose());
