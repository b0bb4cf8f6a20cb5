// Runtime: Node (connector). Retention of the traces: six months by default (Référentiel #2 §5, ANS FAQ 10217),
// configurable (traces.retentionDays). Runs at start-up, then every `intervalMs`.

import type { Store } from '../store';

/** Options of {@link startTracePurge}. */
export interface TracePurgeOptions {
  readonly store: Store;
  readonly retentionDays: number;
  /** [86 400 000] */
  readonly intervalMs?: number;
  /** [Date.now] */
  readonly now?: () => number;
  readonly onPurged?: (count: number) => void;
  readonly onError?: (err: Error) => void;
}

/** Deletes the traces older than the retention once; returns how many. */
export async function purgeOnce(store: Store, retentionDays: number, now: number): Promise<number> {
  return store.purgeTraces(now - retentionDays * 86_400_000);
}

/** Starts the daily purge; returns its stop function. */
export function startTracePurge(opts: TracePurgeOptions): () => void {
  const now = opts.now ?? Date.now;
  const run = () => {
    purgeOnce(opts.store, opts.retentionDays, now()).then(
      (n) => opts.onPurged?.(n),
      (e: unknown) => opts.onError?.(e as Error),
    );
  };
  run();
  const timer = setInterval(run, opts.intervalMs ?? 86_400_000);
  timer.unref();
  return () => clearInterval(timer);
}
