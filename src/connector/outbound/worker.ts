// Runtime: Node (connector). The outbound worker: claims due messages from the durable queue (store), relays them
// to the operator, and records the outcome. Several workers (processes, instances) may share one store.
//
// Delivery guarantee. A message is persisted before the API answers 202, and leaves the queue only when the store
// records its outcome. Exactly once, as far as SMTP allows:
// - Two LIVE workers never send the same row: a claim is exclusive (PostgreSQL `FOR UPDATE SKIP LOCKED`, re-checked
//   on the updated row; SQLite `BEGIN IMMEDIATE`); the lease of every row in flight is renewed every third of the
//   lease while it is being sent (a slow operator does not let another worker take it back); a row whose lease ran
//   out before its dialogue started is not sent; an outcome is recorded only while this worker still holds the row.
// - What remains is the ambiguity RFC 1047 ("Duplicate messages and SMTP", 1988) describes and no SMTP client can
//   remove by itself: once the final "." of DATA is written, the operator may have taken the message while its 250
//   reply, or our record of it, is lost (connector killed, connection cut). The message is then still `sending`; when
//   its lease expires another worker takes it back (`recovered: true`).
// - Reconciliation (option `reconcile`, outbound.reconcileSeconds): every message asks for a DSN (NOTIFY=SUCCESS,
//   ENVID = queue id) and the receipt poller reads them. A recovered message of a mailbox whose receipts are read is
//   NOT submitted again at once: if a DSN or MDN about it is stored, the operator has it (accepted, nothing sent); if
//   not, it waits ("en attente", RECONCILING, attempts not spent, the poller asked to read that mailbox) until the
//   poller has read the mailbox through `graceMs` after the interruption, and only then is it sent again. This turns
//   the window into exactly once whenever the operator reports within `graceMs` (test/e2e-transport/exactly-once.e2e.ts,
//   Postfix + Dovecot). Applicative mailboxes (no IMAP binding, docs/transport.md) are sent again at once: for them
//   the guarantee stays "at least once within that window", with the measures below. We make that span as short as it
//   can be: after the 250, the outcome and its trace are committed in ONE round trip with nothing before it (no log,
//   no callback; PostgreSQL: one statement, `synchronous_commit = off` for that transaction only; SQLite:
//   `synchronous = NORMAL` for worker transactions: both survive the death of the connector, the fault modelled). The
//   second copy carries the SAME Message-ID and Date (built from the queue row, RFC 5322 §3.6.4), and DSN ENVID =
//   queue id, so receivers that eliminate duplicates by Message-ID (Dovecot's `duplicate`, Exchange, mail clients'
//   threading) show it once. RFC 1047 advises the server side to answer "." quickly; the client side cannot do more
//   than this without an operator API that accepts an idempotency key. test/e2e-pipeline/fault.e2e.ts measures it.

import { randomUUID } from 'node:crypto';
import type { OutboundError, OutboundJob, Store, TraceInput } from '../store';
import { NOOP_LOGGER, type TransportLogger } from '../transport';
import { composeMessage } from '../mime/build-message';
import type { SubmitResult } from '../transport';
import { decodePayload, type QueuePayload } from './payload';
import type { OutboundRelay } from './relay';
import { backoffMs, expiredError, isTransient, maskReply, toOutboundError, type RetryOptions } from './retry';

/** Options of {@link createOutboundWorker}. Defaults in brackets. */
export interface OutboundWorkerOptions {
  readonly store: Store;
  readonly relay: OutboundRelay;
  /** [host-pid-random] Identifies this worker in the leases. */
  readonly workerId?: string;
  /** [4] SMTP dialogues at once (give the relay as many pooled connections, SmtpRelayOptions.maxConnections). */
  readonly concurrency?: number;
  /**
   * [concurrency] Messages claimed and built ahead of a free connection (they wait in the relay's pool queue, their
   * leases renewed): the connections never wait for the next message to be claimed and built.
   */
  readonly prefetch?: number;
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
  /**
   * [120 000] How long the lease of a message in flight is renewed, ms: above the relay's connection + inactivity
   * timeouts. A dialogue still running after that is considered hung and its row is left to expire (taken back).
   */
  readonly sendTimeoutMs?: number;
  /**
   * [none] Failures that mean "not yet" rather than "failed" (server.ts: the author has no live Pro Santé Connect
   * session, psc/session-wait.ts): the message goes back to `queued` with the returned error, is claimed again after
   * `recheckMs`, and that claim is NOT counted against `retry.maxAttempts` nor in the backoff (see {@link WAITED}).
   */
  readonly waitFor?: (err: unknown) => { readonly error: OutboundError; readonly recheckMs: number } | undefined;
  /**
   * [none: an interrupted message is sent again at once] Reconciliation of an interrupted sending with the operator's
   * delivery report before any new submission (see the header): for a worker whose mailboxes' receipts are read.
   */
  readonly reconcile?: ReconcileOptions;
}

/**
 * Options of the reconciliation (OutboundWorkerOptions.reconcile). Given only to a worker whose mailboxes' receipts are
 * read by a poller of the same store (receipts/poller.ts): the connector's own worker (PER/ORG mailboxes).
 */
export interface ReconcileOptions {
  /**
   * How long after an interruption a DSN may still come, ms (outbound.reconcileSeconds): the message is sent again only
   * when the mailbox has been read through that long after the interruption without any report about it.
   */
  readonly graceMs: number;
  /**
   * [max(4 × graceMs, 2 h)] After this long without the mailbox being read through while it could be opened (IMAP
   * failing while SMTP works), sent again anyway. Counted from the first claim at which `canReadNow` was true.
   */
  readonly maxWaitMs?: number;
  /**
   * [always] Whether the poller can open `mailbox` now (PER/ORG: the author's Pro Santé Connect session). While it
   * cannot (the author signed out, the connector restarted: tokens live in memory), the message waits without its
   * `maxWaitMs` running: nothing can be sent either, and the report must be read first when the author is back.
   */
  readonly canReadNow?: (mailbox: string, authorId: string) => boolean;
  /** [graceMs / 4, 1 s to 60 s] How often a message waiting for its report is looked at again, ms. */
  readonly recheckMs?: number;
  /** Called for each message waiting for its report: the poller reads that mailbox soon (ReceiptPoller.pollSoon). */
  readonly onPending?: (mailbox: string, authorId: string) => void;
}

/** Code of a message whose interrupted sending waits for the operator's report (stored error; French for the user). */
export const RECONCILING = 'RECONCILING';
const RECONCILING_MESSAGE =
  'Envoi interrompu (connecteur arrêté pendant l\'envoi) : vérification auprès de l\'opérateur, par son accusé de remise, avant tout nouvel envoi, pour ne pas l\'envoyer deux fois.';
/** The interruption time of a message waiting for its report, kept in its stored error. */
const UNCERTAIN_SINCE = 'uncertainSince';
/** The first claim of a waiting message at which its mailbox could be read (starts `maxWaitMs`), in its stored error. */
const READABLE_SINCE = 'readableSince';
type ReconcilingError = OutboundError & { [UNCERTAIN_SINCE]?: number; [READABLE_SINCE]?: number };

/**
 * Claims that only found "not yet" ({@link OutboundWorkerOptions.waitFor}). The store counts every claim in
 * `attempts`; the worker subtracts these, kept in the stored error as `waitedClaims`, so that waiting (hours, a
 * weekend) never spends the retry budget. Carried on every later error of the message.
 */
const WAITED = 'waitedClaims';
const waitedOf = (job: OutboundJob): number => Number((job.lastError as (OutboundError & { [WAITED]?: number }) | undefined)?.[WAITED] ?? 0) || 0;

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
  const capacity = concurrency + Math.max(0, opts.prefetch ?? concurrency);
  const claimBatch = Math.max(1, Math.floor(capacity / 2));
  const leaseMs = opts.leaseMs ?? 300_000;
  const pollMs = opts.pollMs ?? 1000;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const logger = opts.logger || NOOP_LOGGER;
  const maxAttempts = opts.retry?.maxAttempts ?? 12;

  const inFlight = new Set<Promise<void>>();
  /** Rows in flight (id → start, ms): their leases are renewed while they are being sent, for `sendTimeoutMs` at most. */
  const held = new Map<string, number>();
  const sendTimeoutMs = opts.sendTimeoutMs ?? 120_000;
  let renewal: ReturnType<typeof setInterval> | undefined;
  let renewing = 0;
  const renewLeases = (): void => {
    const t = now();
    // a dialogue that has lasted longer than any transport timeout is hung: let its lease run out (taken back)
    const ids = [...held].filter(([, started]) => t - started < sendTimeoutMs).map(([id]) => id);
    if (ids.length === 0) return;
    store.renewOutboundLeases(ids, workerId, t + leaseMs).catch((err: unknown) => {
      logger.error({ event: 'outbound.renew_failed', message: (err as Error).message }, 'bail non renouvelé');
    });
  };
  /** Lease renewal every third of the lease while the loop or a drain runs (never keeps the process alive). */
  const startRenewal = (): void => {
    if (renewing++ > 0) return;
    renewal = setInterval(renewLeases, Math.max(100, Math.floor(leaseMs / 3)));
    renewal.unref();
  };
  const stopRenewal = (): void => {
    if (--renewing > 0) return;
    renewing = 0;
    if (renewal) clearInterval(renewal);
    renewal = undefined;
  };
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function attempt(job: OutboundJob): Promise<void> {
    let payload: QueuePayload;
    try {
      payload = decodePayload(job.payload);
    } catch {
      await store.completeOutbound(job.id, workerId, { status: 'failed', error: { code: 'INTERNAL', message: 'Message illisible dans la file d\'envoi (version inconnue) : renvoyez-le.' }, now: now() });
      return;
    }
    // Everything the trace and the send need is prepared BEFORE the SMTP dialogue: after the 250, only the commit.
    let send: () => Promise<SubmitResult>;
    let request: string;
    if (payload.v === 2) {
      // built at send time with the queue's fixed identity: same Message-ID, Date and ENVID on every attempt
      // composed, not serialised: nodemailer writes it while DATA streams (the API checked its size with buildMessage)
      const built = composeMessage(
        { ...payload.build, date: new Date(payload.date), messageId: job.messageId, envelopeId: job.id },
        { messageIdDomain: job.mailbox.slice(job.mailbox.lastIndexOf('@') + 1) },
      );
      if (!built.ok) {
        const first = built.errors[0];
        const error = { code: first?.code ?? 'INTERNAL', message: first?.message ?? 'Message impossible à construire.' };
        await store.completeOutbound(job.id, workerId, { status: 'failed', error, now: now() });
        logger.warn({ event: 'outbound.build_failed', id: job.id, code: error.code }, 'message impossible à construire');
        return;
      }
      const message = { mail: built.mail, messageId: built.messageId, envelope: built.envelope, ...(built.dsn ? { dsn: built.dsn } : {}) };
      request = describe({ mailbox: job.mailbox, authorId: job.authorId, recipients: built.envelope.to.length, dsn: built.dsn !== undefined });
      send = () => relay.submitRaw({ mailbox: job.mailbox, authorId: job.authorId, message });
    } else {
      const m = { ...payload.message, messageId: job.messageId };
      request = describe({ mailbox: job.mailbox, authorId: job.authorId, recipients: m.to.length + (m.cc?.length ?? 0) + (m.bcc?.length ?? 0) });
      send = () => relay.submit({ mailbox: job.mailbox, authorId: job.authorId, message: m });
    }
    const base: Omit<TraceInput, 'outcome' | 'tsUtc'> = {
      ...(payload.tsWorkstation ? { tsWorkstation: payload.tsWorkstation } : {}),
      actor: job.authorId,
      mailbox: job.mailbox,
      action: 'envoi',
      request,
      messageId: job.messageId,
    };
    // An interrupted sending (recovered lease, or already waiting for its report): the operator may have the message.
    // Its report decides; without one, it is sent again only once the mailbox is read through well past the interruption.
    const waiting = !job.recovered && job.lastError?.code === RECONCILING ? (job.lastError as ReconcilingError) : undefined;
    const uncertainSince = job.recovered ? now() : waiting ? Number(waiting[UNCERTAIN_SINCE]) || now() : undefined;
    if (uncertainSince !== undefined && opts.reconcile && payload.v === 2 && payload.build.deliveryReceipt !== false) {
      if (await reconcile(job, base, uncertainSince, Number(waiting?.[READABLE_SINCE]) || undefined, opts.reconcile)) return;
    }
    // the lease ran out before the dialogue started (event loop stalled): another worker may hold the row now; sending
    // would make two live senders. Leave it: it is claimed again (by whoever holds it) and nothing is sent twice.
    if (now() >= job.leaseUntil) {
      logger.warn({ event: 'outbound.lease_expired_before_send', id: job.id }, 'bail expiré avant l\'envoi : message laissé à la file');
      return;
    }
    if (job.recovered) logger.warn({ event: 'outbound.recovered', id: job.id, attempts: job.attempts }, 'message repris après un bail expiré');
    let result: SubmitResult;
    try {
      result = await send();
    } catch (err) {
      const at = now();
      const waited = waitedOf(job);
      const wait = opts.waitFor?.(err);
      if (wait) {
        // not an attempt: nothing reached the operator, no trace; looked at again after recheckMs (see waitFor)
        await store.completeOutbound(job.id, workerId, { status: 'queued', nextAttemptAt: at + wait.recheckMs, error: { ...wait.error, [WAITED]: waited + 1 } as OutboundError, now: at });
        logger.info({ event: 'outbound.waiting', id: job.id, code: wait.error.code }, 'envoi en attente');
        return;
      }
      const error = (waited > 0 ? { ...toOutboundError(err), [WAITED]: waited } : toOutboundError(err)) as OutboundError;
      const spent = job.attempts - waited; // attempts that really tried the operator (waitFor claims excluded)
      const trace: TraceInput = { ...base, tsUtc: at, ...(error.responseCode !== undefined ? { replyCode: error.responseCode } : {}), ...(error.response ? { replyText: error.response } : {}), outcome: error.code };
      if (isTransient(err) && spent < maxAttempts) {
        const nextAttemptAt = at + backoffMs(spent, opts.retry, random);
        await store.completeOutbound(job.id, workerId, { status: 'queued', nextAttemptAt, error, now: at }, trace);
        logger.info({ event: 'outbound.retry', id: job.id, code: error.code, attempts: spent, inMs: nextAttemptAt - at }, 'envoi reporté');
      } else {
        const final = isTransient(err) ? expiredError(error, spent) : error;
        await store.completeOutbound(job.id, workerId, { status: 'failed', error: final, now: at }, { ...trace, outcome: final.code });
        logger.warn({ event: 'outbound.failed', id: job.id, code: final.code, responseCode: final.responseCode }, 'envoi refusé');
      }
      return;
    }
    // the 250 first: nothing between the reply and this commit (a few string operations, no I/O)
    const at = now();
    const response = maskReply(result.response);
    const replyCode = Number(/^(\d{3})/.exec(result.response)?.[1] ?? 250);
    const recorded = await store.completeOutbound(
      job.id,
      workerId,
      { status: 'accepted', response, now: at },
      { ...base, tsUtc: at, replyCode, replyText: response, outcome: result.rejected.length > 0 ? 'RECIPIENT_REFUSED_PARTIAL' : 'ok' },
    );
    if (!recorded) logger.error({ event: 'outbound.lease_lost', id: job.id }, 'bail perdu après l\'envoi : le message peut avoir été envoyé deux fois (même Message-ID)');
  }

  /**
   * An interrupted sending: true when settled without sending (the operator's report proves it has the message:
   * accepted, with that report's states; or the message waits for its report), false when it must be sent again.
   */
  async function reconcile(job: OutboundJob, base: Omit<TraceInput, 'outcome' | 'tsUtc'>, since: number, readableSince: number | undefined, r: ReconcileOptions): Promise<boolean> {
    const reports = await store.listReceipts(job.id);
    const at = now();
    if (reports.length > 0) {
      // any DSN or MDN about it (delivered, relayed, delayed, failed, read): the operator took it before the interruption
      const response = 'Déjà remis à l\'opérateur avant l\'interruption (confirmé par son accusé) : pas de nouvel envoi.';
      const recorded = await store.completeOutbound(job.id, workerId, { status: 'accepted', response, now: at }, { ...base, tsUtc: at, replyText: response, outcome: 'ok' });
      if (recorded) await store.recordReceipts(job.id, [], at); // roll the stored reports up (delivered, read, failed)
      logger.info({ event: 'outbound.reconciled', id: job.id, reports: reports.length }, 'envoi interrompu confirmé par l\'accusé de l\'opérateur : pas de nouvel envoi');
      return true;
    }
    const maxWaitMs = r.maxWaitMs ?? Math.max(4 * r.graceMs, 2 * 3_600_000);
    const readThrough = (await store.getImapPosition(job.mailbox))?.readThroughAt ?? 0;
    const readable = readableSince ?? ((r.canReadNow?.(job.mailbox, job.authorId) ?? true) ? at : undefined);
    if (readThrough >= since + r.graceMs || (readable !== undefined && at >= readable + maxWaitMs)) {
      logger.warn({ event: 'outbound.resend_unconfirmed', id: job.id, readThrough: readThrough >= since + r.graceMs }, 'envoi interrompu sans accusé de l\'opérateur : nouvel envoi (même Message-ID)');
      return false;
    }
    const recheckMs = r.recheckMs ?? Math.min(60_000, Math.max(1_000, Math.floor(r.graceMs / 4)));
    const error = { code: RECONCILING, message: RECONCILING_MESSAGE, [UNCERTAIN_SINCE]: since, ...(readable !== undefined ? { [READABLE_SINCE]: readable } : {}), [WAITED]: waitedOf(job) + 1 } as OutboundError;
    await store.completeOutbound(job.id, workerId, { status: 'queued', nextAttemptAt: at + recheckMs, error, now: at });
    r.onPending?.(job.mailbox, job.authorId);
    logger.info({ event: 'outbound.reconciling', id: job.id }, 'envoi interrompu : en attente de l\'accusé de l\'opérateur');
    return true;
  }

  const describe = (r: Parameters<OutboundRelay['describe']>[0]): string => {
    try {
      return relay.describe(r);
    } catch {
      return 'SMTP';
    }
  };

  function track(job: OutboundJob): void {
    held.set(job.id, now());
    const p = attempt(job)
      .catch((err: unknown) => {
        // the store failed while recording: the row stays `sending` and comes back when its lease expires
        logger.error({ event: 'outbound.record_failed', id: job.id, message: (err as Error).message }, 'résultat non enregistré');
      })
      .finally(() => {
        held.delete(job.id);
        inFlight.delete(p);
        wake?.();
      });
    inFlight.add(p);
  }

  async function claimSome(): Promise<number> {
    const free = capacity - inFlight.size;
    if (free <= 0) return 0;
    // batch claims: while messages are in flight, claim only once half of the slots are free (one claim transaction
    // per `concurrency` messages instead of one per message, the other half still keeps the connections busy;
    // bench/pipeline.mjs)
    if (inFlight.size > 0 && free < claimBatch) return 0;
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
      if (claimed === 0 || inFlight.size >= capacity) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, inFlight.size >= capacity ? pollMs * 10 : pollMs);
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
      startRenewal();
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
      if (loop) stopRenewal();
      loop = undefined;
    },
    async drain() {
      let attempts = 0;
      startRenewal();
      try {
        for (;;) {
          const n = await claimSome();
          attempts += n;
          if (n === 0 && inFlight.size === 0) return attempts;
          if (inFlight.size > 0) await Promise.race([...inFlight]);
        }
      } finally {
        stopRenewal();
      }
    },
  };
}
