package stratus.compat;

import java.util.function.BooleanSupplier;

/** A scenario's time budget: every wait is bounded by it, so a broken server fails instead of hanging. */
final class Deadline {
    private final long endNanos;

    Deadline(long budgetMs) {
        this.endNanos = System.nanoTime() + budgetMs * 1_000_000L;
    }

    long remainingMs() {
        return Math.max(0, (endNanos - System.nanoTime()) / 1_000_000L);
    }

    boolean expired() {
        return remainingMs() == 0;
    }

    /** Polls until the condition holds, the budget (or maxWaitMs) runs out; returns the last answer. */
    boolean await(BooleanSupplier condition, long maxWaitMs, long pollMs) {
        long until = System.nanoTime() + Math.min(maxWaitMs, remainingMs()) * 1_000_000L;
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() >= until) {
                return condition.getAsBoolean();
            }
            sleep(pollMs);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
