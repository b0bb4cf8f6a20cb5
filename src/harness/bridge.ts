// Runtime: browser (harness). The one global contract between the harness page and its iframes (same origin).
import type { FakeMailbox } from './fake-mailbox';
import type { FakeOfficeHandle } from './fake-office-api';

/** What the harness page exposes to its iframes as window.__mssHarness. */
export interface HarnessBridge {
  readonly mailbox: FakeMailbox;
}

declare global {
  interface Window {
    /** Set by the harness page (src/harness/index.tsx) before its iframes load. */
    __mssHarness?: HarnessBridge;
    /** Set by fake-office.ts in each iframe: the fake host and the handlers associated with Office.actions. */
    __fakeOffice?: FakeOfficeHandle;
  }
}
