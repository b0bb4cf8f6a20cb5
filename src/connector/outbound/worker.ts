// Runtime: Node (connector). The outbound worker: claims due messages from the durable queue (store), relays them
// to the operator, and records the outcome. Several workers (processes, instances) may share one store.
//
// Delivery guarantee. A message is persisted before the API answers 202, and leaves the queue only when the store
// records its outcome. The SMTP 250 is recorded FIRST (`completeOutbound(accepted)`, one transaction with its trace,
// before any log, callback or other write). The one window that cannot be closed from the client side: the
// operator has answered 250 to DATA but the process dies (or the database is unreachable) before that commit. The
// row is then still `sending`; when its lease expires another worker takes it back (`recovered: true`) and submits
// it again: at-least-once for that message only. Two things narrow it: (1) the window is one database commit wide,
// and nothing else runs between the reply and the commit; (2) the retry carries the SAME Message-ID (fixed at
// acceptance, RFC 5322 §3.6.4), so a receiving system that eliminates duplicates by Message-ID (Dovecot's
// `duplicate` extension, Exchange, most mail clients' threading) shows it once. A lease shorter than one SMTP
// dialogue could also duplicate: keep `leaseMs` well above the transport timeouts (the defaults: 5 min vs 75 s).

import { randomUUID } from 'node:crypto';
import type { OutboundJob, Store, TraceInput } from '../store';
import { NOOP_LOGGER, type TransportLogger } from '../transport';
import { decodePayload } from './payload';
import type { OutboundRelay } from './relay';
import { backoffMs, expiredError, isTransient, maskReply, toOutboundError, type RetryOptions } from './retry';

/** Options of {@link createOutboundWorker}. Defaults in brackets. */
export interface OutboundWorkerOptions {
  readonly store: Store;
  readonly relay: OutboundRelay;
  /** [host-pid-random] Identifies this worker in the leases. */
  readonly workerId?: string;
  /** [4] Messages in flight at once. */
  readonly concurrency?: number;
  /** [300 000] Lease of a claimed message, ms: must exceed one full SMTP dialogue. */
  readonly leaseMs?: number;
  /** [1000] Idle poll interval, ms (the API wakes the worker with `notify()` sooner). */
  readonly pollMs?: number;
  readonly retry?: RetryOptions;
  /** [Date.now] */
  readonly now?: () => number;
  /** [Math.random] Jitter source. */
  readonly random?: () => number;
  /** [none] Ids and codes only. */
  readonly logger?: TransportLogger | false;
}

/** A running worker. */
export interface OutboundWorker {
  readonly workerId: string;
  /** Starts the claim loop (idempotent). */
  start(): void;
  /** Wakes the loop now (a message was just queued). */
  notify(): void;
  /** Stops claiming and waits for the messages in flight. */
  stop(): Promise<void>;
  /** Runs claim → relay → record until nothing is due (tests, CLI). Returns how many attempts were made. */
  drain(): Promise<number>;
}

/** Builds the worker (not started). */
export function createOutboundWorker(opts: OutboundWorkerOptions): OutboundWorker {
  const { store, relay } = opts;
  const workerId = opts.workerId ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const leaseMs = opts.leaseMs ?? 300_000;
  const pollMs = opts.pollMs ?? 1000;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const logger = opts.logger || NOOP_LOGGER;
  const maxAttempts = opts.retry?.maxAttempts ?? 12;

  const inFlight = new Set<Promise<void>>();
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function attempt(job: OutboundJob): Promise<void> {
    let payload;
    try {
      payload = decodePayload(job.payload);
    } catch {
      await store.completeOutbound(job.id, workerId, { status: 'failed', error: { code: 'INTERNAL', message: 'Message illisible dans la file d\'envoi (version inconnue) : renvoyez-le.' }, now: now() });
      return;
    }
    const request = { mailbox: job.mailbox, authorId: job.authorId, message: { ...payload.message, messageId: job.messageId } };
    const traceBase = (): Omit<TraceInput, 'outcome'> => ({
      tsUtc: now(),
      ...(payload.tsWorkstation ? { tsWorkstation: payload.tsWorkstation } : {}),
      actor: job.authorId,
      mailbox: job.mailbox,
      action: 'envoi',
      request: describe(request),
      messageId: job.messageId,
    });
    if (job.recovered) logger.warn({ event: 'outbound.recovered', id: job.id, attempts: job.attempts }, 'message repris après un bail expiré');
    let result;
    try {
      result = await relay.submit(request);
    } catch (err) {
      const error = toOutboundError(err);
      const at = now();
      const trace: TraceInput = { ...traceBase(), ...(error.responseCode !== undefined ? { replyCode: error.responseCode } : {}), ...(error.response ? { replyText: error.response } : {}), outcome: error.code };
      if (isTransient(err) && job.attempts < maxAttempts) {
        const nextAttemptAt = at + backoffMs(job.attempts, opts.retry, random);
        await store.completeOutbound(job.id, workerId, { status: 'queued', nextAttemptAt, error, now: at }, trace);
        logger.info({ event: 'outbound.retry', id: job.id, code: error.code, attempts: job.attempts, inMs: nextAttemptAt - at }, 'envoi reporté');
      } else {
        const final = isTransient(err) ? expiredError(error, job.attempts) : error;
        await store.completeOutbound(job.id, workerId, { status: 'failed', error: final, now: at }, { ...trace, outcome: final.code });
        logger.warn({ event: 'outbound.failed', id: job.id, code: final.code, responseCode: final.responseCode }, 'envoi refusé');
      }
      return;
    }
    // the 250 first: nothing between the reply and this commit
    const response = maskReply(result.response);
    const replyCode = Number(/^(\d{3})/.exec(result.response)?.[1] ?? 250);
    const recorded = await store.completeOutbound(
      job.id,
      workerId,
      { status: 'accepted', response, now: now() },
      { ...traceBase(), replyCode, replyText: response, outcome: result.rejected.length > 0 ? 'RECIPIENT_REFUSED_PARTIAL' : 'ok' },
    );
    if (!recorded) logger.error({ event: 'outbound.lease_lost', id: job.id }, 'bail perdu après l\'envoi : le message peut avoir été envoyé deux fois (même Message-ID)');
  }

  const describe = (r: Parameters<OutboundRelay['describe']>[0]): string => {
    try {
      return relay.describe(r);
    } catch {
      return 'SMTP';
    }
  };

  function track(job: OutboundJob): void {
    const p = attempt(job)
      .catch((err: unknown) => {
        // the store failed while recording: the row stays `sending` and comes back when its lease expires
        logger.error({ event: 'outbound.record_failed', id: job.id, message: (err as Error).message }, 'résultat non enregistré');
      })
      .finally(() => {
        inFlight.delete(p);
        wake?.();
      });
    inFlight.add(p);
  }

  async function claimSome(): Promise<number> {
    const free = concurrency - inFlight.size;
    if (free <= 0) return 0;
    const jobs = await store.claimOutbound({ workerId, now: now(), leaseMs, limit: free });
    for (const job of jobs) track(job);
    return jobs.length;
  }

  async function run(): Promise<void> {
    while (running) {
      let claimed = 0;
      try {
        claimed = await claimSome();
      } catch (err) {
        logger.error({ event: 'outbound.claim_failed', message: (err as Error).message }, 'file d\'envoi inaccessible');
      }
      if (!running) break;
      if (claimed === 0 || inFlight.size >= concurrency) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, inFlight.size >= concurrency ? pollMs * 10 : pollMs);
          wake = () => {
            clearTimeout(t);
            wake = undefined;
            resolve();
          };
        });
      }
    }
  }

  return {
    workerId,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    notify() {
      wake?.();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await Promise.all([...inFlight]);
    },
    async drain() {
      let attempts = 0;
      for (;;) {
        const n = await claimSome();
        attempts += n;
        if (n === 0 && inFlight.size === 0) return attempts;
        if (inFlight.size > 0) await Promise.race([...inFlight]);
      }
    },
  };
}
