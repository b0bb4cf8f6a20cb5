// Runtime: Node (connector). The audit trail of the directory API, kept off the request path: each look-up, search
// or suggestion only adds to counters in memory (a few additions, no I/O); every `intervalMs` (and when the app
// closes) one audit row per action, outcome and code is written with the counts of the period. Counts and codes
// only: never an address, a name or a query text (STYLE.md rule 10; the store refuses address-like text anyway).
// Why not one row per request: the HTTP batch look-up serves thousands of requests a second, and the store writes
// one row per call (a durable commit each); a row per period keeps the trace without that cost.

import type { AuditDetails, AuditEntryInput } from '../store';

/** The directory actions audited (audit `action`). */
export const DIRECTORY_AUDIT_ACTIONS = ['directory_lookup', 'directory_search', 'directory_suggest'] as const;
export type DirectoryAuditAction = (typeof DIRECTORY_AUDIT_ACTIONS)[number];

/** Where rows go: the connector's store (`appendAudit`), or anything with that method (tests). */
export interface DirectoryAuditSink {
  appendAudit(entry: AuditEntryInput): Promise<unknown>;
}

/** Options of {@link DirectoryAudit}. */
export interface DirectoryAuditOptions {
  readonly sink: DirectoryAuditSink;
  /** [60,000] Length of a period: its counts are written when it ends (at the first call after it, or by the timer). */
  readonly intervalMs?: number;
  /** [performance.now] Monotonic clock (ms). */
  readonly clock?: () => number;
  /** [none] Called when a write fails (codes only); the counts of that period are then lost, never the service. */
  readonly onError?: (err: Error) => void;
}

type Counts = Record<string, number>;

/** Counters of one period, by action/outcome/code. */
interface Bucket {
  readonly action: DirectoryAuditAction;
  readonly outcome: 'ok' | 'rejected' | 'error';
  readonly code: string | undefined;
  readonly counts: Counts;
}

/** In-memory counters of the directory API, written as audit rows once per period. */
export class DirectoryAudit {
  private buckets = new Map<string, Bucket>();
  private periodStart: number;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;
  private readonly clock: () => number;

  constructor(private readonly opts: DirectoryAuditOptions) {
    this.intervalMs = opts.intervalMs ?? 60_000;
    this.clock = opts.clock ?? (() => performance.now());
    this.periodStart = this.clock();
  }

  /** A batch look-up answered: addresses asked, found (local index or FHIR API), invalid; FHIR answers and errors. */
  lookup(addresses: number, found: number, invalid: number, fhirFound = 0, fhirErrors = 0): void {
    this.add('directory_lookup', 'ok', undefined, { requests: 1, addresses, found, notFound: addresses - found - invalid, invalid, fhirFound, fhirErrors });
  }

  /** A search answered: results on the page and total matches. */
  search(results: number, total: number): void {
    this.add('directory_search', 'ok', undefined, { requests: 1, results, matches: total, empty: total === 0 ? 1 : 0 });
  }

  /** A "did you mean" answered: candidates proposed. */
  suggest(candidates: number): void {
    this.add('directory_suggest', 'ok', undefined, { requests: 1, candidates, none: candidates === 0 ? 1 : 0 });
  }

  /** A request refused (error code of the API table) or failed (`error`). */
  rejected(action: DirectoryAuditAction, code: string, internal: boolean): void {
    this.add(action, internal ? 'error' : 'rejected', code, { requests: 1 });
  }

  private add(action: DirectoryAuditAction, outcome: Bucket['outcome'], code: string | undefined, counts: Counts): void {
    const key = `${action}\u0000${outcome}\u0000${code ?? ''}`;
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { action, outcome, code, counts: {} };
      this.buckets.set(key, b);
    }
    for (const k in counts) b.counts[k] = (b.counts[k] ?? 0) + counts[k];
    if (this.clock() - this.periodStart >= this.intervalMs) void this.flush();
    else if (this.timer === undefined) {
      // the end of a quiet period is written by a timer that does not keep the process alive
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Writes the counts gathered so far (one row per action/outcome/code) and starts a new period. Never throws;
   * resolves when the rows are written. Writes are serialised.
   */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = this.clock();
    const periodMs = Math.round(now - this.periodStart);
    this.periodStart = now;
    if (this.buckets.size === 0) return this.pending;
    const rows = [...this.buckets.values()];
    this.buckets = new Map();
    this.pending = this.pending.then(async () => {
      for (const b of rows) {
        const details: AuditDetails = { ...b.counts, periodMs };
        try {
          await this.opts.sink.appendAudit({ actor: 'api', action: b.action, outcome: b.outcome, ...(b.code ? { code: b.code } : {}), details });
        } catch (e) {
          this.opts.onError?.(e as Error);
        }
      }
    });
    return this.pending;
  }

  /** Writes what is left and stops the timer (app close). */
  close(): Promise<void> {
    return this.flush();
  }
}
