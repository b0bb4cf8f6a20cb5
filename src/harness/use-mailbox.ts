// Runtime: browser (harness). Subscribes React to the FakeMailbox.
import { useCallback, useSyncExternalStore } from 'react';
import type { FakeMailbox, FakeMailboxState } from './fake-mailbox';

export function useMailboxState(mailbox: FakeMailbox): FakeMailboxState {
  const subscribe = useCallback((onChange: () => void) => mailbox.subscribe(onChange), [mailbox]);
  return useSyncExternalStore(subscribe, () => mailbox.state);
}
