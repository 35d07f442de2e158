package io.meshwork.proxy.resilience;

/**
 * Whether a failed attempt is tried again, after how long, and if not, why not. The checks run
 * in a fixed order, the budget last because asking it spends it. A refused connection is retried
 * without the budget: the request reached no instance, so its retry adds no load, and an
 * instance that is gone but still listed must not spend the budget the live instances' failures
 * need (it is also set aside for a while: {@code upstream.ConnectFailureBackoff}).
 */
public record RetryDecision(Verdict verdict, long delayMillis) {
    /** Retry, or the first reason not to. */
    public enum Verdict {
        RETRY,
        /** The route's policy does not name this failure. */
        NOT_A_RETRY_EVENT,
        /** {@code maxRetries} retries were made already. */
        RETRIES_USED_UP,
        /** The request body outgrew what a retry may resend; it streamed through instead. */
        BODY_NOT_REPLAYABLE,
        /** The request's own timeout has passed. */
        NO_TIME_LEFT,
        /** The upstream's retry budget is spent. */
        BUDGET_SPENT
    }

    /**
     * Decides for the attempt that failed with {@code failure} after {@code retriesDone} retries.
     *
     * @param bodyReplayable whether the whole request body so far is kept for a resend
     * @param timeLeft       whether the request's timeout still leaves time
     */
    public static RetryDecision of(RetryRules rules, AttemptFailure failure, int retriesDone, boolean bodyReplayable,
                                   boolean timeLeft, RetryBudget budget) {
        if (!rules.matches(failure)) {
            return no(Verdict.NOT_A_RETRY_EVENT);
        }
        if (retriesDone >= rules.maxRetries()) {
            return no(Verdict.RETRIES_USED_UP);
        }
        if (!bodyReplayable) {
            return no(Verdict.BODY_NOT_REPLAYABLE);
        }
        if (!timeLeft) {
            return no(Verdict.NO_TIME_LEFT);
        }
        if (failure.reachedUpstream() && !budget.tryRetry()) {
            return no(Verdict.BUDGET_SPENT);
        }
        return new RetryDecision(Verdict.RETRY, RetryBackoff.delayMillis(retriesDone + 1));
    }

    public boolean retry() {
        return verdict == Verdict.RETRY;
    }

    private static RetryDecision no(Verdict why) {
        return new RetryDecision(why, 0);
    }
}
