// Runtime: Outlook event runtime (classic Outlook's JavaScript-only runtime, or commands.html in a browser runtime).
// ES2016, callbacks only. The one once-guard every handler completes through (STYLE.md rule 3).

/** The subset of Office.MailboxEvent the handlers use. */
export interface LaunchEvent {
  completed(options?: Office.SmartAlertsEventCompletedOptions): void;
}

/** Completes the event; true the first time, false afterwards (the call is then ignored). */
export type Complete = (options?: Office.SmartAlertsEventCompletedOptions) => boolean;

/** Logs a code and an error name only: never addresses, subjects, bodies or attachment names (STYLE.md rule 10). */
export function logIssue(handler: string, code: string, err?: unknown): void {
  if (typeof console === 'undefined') return;
  let name = '';
  if (err !== undefined) {
    name = err && typeof err === 'object' && 'name' in err ? ' ' + String((err as { name: unknown }).name) : ' ' + typeof err;
  }
  console.warn('[mss-outlook] ' + handler + ' ' + code + name);
}

/**
 * Wraps `event.completed` so that it runs at most once, whatever the path (a late Office callback, a connector answer
 * after the timeout, an exception after completing). Code after `event.completed()` is not guaranteed to run
 * (OUTLOOK.md §1.7), so callers complete last.
 */
export function completeOnce(event: LaunchEvent, handler: string): Complete {
  let done = false;
  return function complete(options) {
    if (done) return false;
    done = true;
    try {
      if (options === undefined) event.completed();
      else event.completed(options);
    } catch (err) {
      // Outlook refused the completion: nothing else can be done, and never a second time.
      logIssue(handler, 'COMPLETED_THREW', err);
    }
    return true;
  };
}

/** A task of {@link parallel}: calls back once, with an error or nothing. */
export type Task<E> = (cb: (err?: E) => void) => void;

/**
 * Runs tasks at the same time; `done` once, with the first error or after all succeeded. A task that throws
 * synchronously counts as failing with `onThrow(err)`.
 */
export function parallel<E>(tasks: readonly Task<E>[], onThrow: (err: unknown) => E, done: (err?: E) => void): void {
  let pending = tasks.length;
  let finished = false;
  const finish = function (err?: E) {
    if (finished) return;
    if (err !== undefined) {
      finished = true;
      done(err);
      return;
    }
    pending -= 1;
    if (pending === 0) {
      finished = true;
      done();
    }
  };
  if (pending === 0) {
    finished = true;
    done();
    return;
  }
  for (const task of tasks) {
    let called = false;
    try {
      task(function (err) {
        if (called) return;
        called = true;
        finish(err);
      });
    } catch (err) {
      if (!called) {
        called = true;
        finish(onThrow(err));
      }
    }
  }
}
