// Runtime: browser (task pane). React hook around checkMessage: checks on mount, on "Actualiser" and whenever Outlook
// reports a recipient change; the newest check wins.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MailboxPort } from '../office/mailbox-port';
import { checkMessage, type CheckResult } from './check-message';
import type { ConnectorClient, PolicyInfo } from './connector-client';

export interface RecipientCheckState {
  /** True while a check runs (the previous result stays visible meanwhile). */
  readonly checking: boolean;
  /** Undefined until the first check completes. */
  readonly result?: CheckResult;
  /** Starts a new check. */
  readonly refresh: () => void;
}

/** Recipient changes arrive in bursts (paste of several addresses): wait this long before checking. */
export const RECIPIENTS_CHANGED_DEBOUNCE_MS = 150;

export function useRecipientCheck(port: MailboxPort, client: ConnectorClient): RecipientCheckState {
  const [result, setResult] = useState<CheckResult | undefined>(undefined);
  const [checking, setChecking] = useState(true);
  const sequence = useRef(0);
  const policy = useRef<Promise<PolicyInfo> | undefined>(undefined);

  const getPolicy = useCallback(() => {
    if (!policy.current) {
      const p = client.getPolicy();
      policy.current = p;
      p.catch(() => {
        if (policy.current === p) policy.current = undefined; // ask again next time
      });
    }
    return policy.current;
  }, [client]);

  const run = useCallback(
    (reloadPolicy: boolean) => {
      const id = ++sequence.current;
      if (reloadPolicy) policy.current = undefined;
      setChecking(true);
      void checkMessage({ port, client, getPolicy }).then((r) => {
        if (id !== sequence.current) return; // a newer check started meanwhile
        setResult(r);
        setChecking(false);
      });
    },
    [port, client, getPolicy],
  );

  const refresh = useCallback(() => run(true), [run]);

  useEffect(() => {
    run(false);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe: (() => Promise<void>) | undefined;
    let disposed = false;
    port
      .onRecipientsChanged(() => {
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(() => run(false), RECIPIENTS_CHANGED_DEBOUNCE_MS);
      })
      .then(
        (u) => {
          if (disposed) void u().catch(() => undefined);
          else unsubscribe = u;
        },
        () => undefined, // no live refresh on this client; "Actualiser" still works
      );
    return () => {
      disposed = true;
      if (timer !== undefined) clearTimeout(timer);
      if (unsubscribe) void unsubscribe().catch(() => undefined);
    };
  }, [port, run]);

  return useMemo(() => ({ checking, result, refresh }), [checking, result, refresh]);
}
