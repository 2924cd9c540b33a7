package io.bolmo4j.data;

import java.util.Arrays;

/**
 * Teacher-forced scores of a continuation, one entry per model unit (token or byte).
 *
 * @param logProbs natural-log probability of each unit given everything before it (≤ 0)
 * @param greedy   whether each unit was the model's argmax at its position
 */
public record ContinuationScore(double[] logProbs, boolean[] greedy) {
    /**
     * Copies the arrays and checks them.
     *
     * @throws IllegalArgumentException if the lengths differ, there are no units, or a log-probability is NaN or
     *                                  positive
     */
    public ContinuationScore {
        if (logProbs.length != greedy.length || logProbs.length == 0) {
            throw new IllegalArgumentException("need the same, non-zero number of log-probs and greedy flags, got "
                    + logProbs.length + " and " + greedy.length);
        }
        for (double lp : logProbs) {
            if (Double.isNaN(lp) || lp > 1e-9) {
                throw new IllegalArgumentException("invalid log-probability " + lp);
            }
        }
        logProbs = logProbs.clone();
        greedy = greedy.clone();
    }

    /** Sum of the log-probabilities (nats). */
    public double totalLogProb() {
        return Arrays.stream(logProbs).sum();
    }

    /** Whether every unit was the argmax, i.e. greedy decoding would reproduce the continuation. */
    public boolean allGreedy() {
        for (boolean g : greedy) {
            if (!g) {
                return false;
            }
        }
        return true;
    }

    @Override
    public double[] logProbs() {
        return logProbs.clone();
    }

    @Override
    public boolean[] greedy() {
        return greedy.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContinuationScore c && Arrays.equals(logProbs, c.logProbs) && Arrays.equals(greedy, c.greedy);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(logProbs) + Arrays.hashCode(greedy);
    }

    @Override
    public String toString() {
        return "ContinuationScore" + Arrays.toString(logProbs) + Arrays.toString(greedy);
    }
}
