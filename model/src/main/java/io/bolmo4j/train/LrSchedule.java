package io.bolmo4j.train;

/**
 * Linear warmup to the peak, then a decay to zero: linear (the paper's "Warmup + Linear", Table 8) or cosine.
 */
public record LrSchedule(double peak, long warmupSteps, long totalSteps, Decay decay) {
    /** How the learning rate falls from the peak to zero after the warmup. */
    public enum Decay { LINEAR, COSINE }

    public LrSchedule {
        if (!(peak > 0) || warmupSteps < 0 || totalSteps < 1 || warmupSteps > totalSteps || decay == null) {
            throw new IllegalArgumentException("invalid schedule: peak " + peak + ", warmup " + warmupSteps + ", total "
                    + totalSteps + ", decay " + decay);
        }
    }

    /** Warmup over {@code fraction} of the steps (the paper uses 10 %), then linear decay. */
    public static LrSchedule warmupLinear(double peak, long totalSteps, double fraction) {
        return warmup(peak, totalSteps, fraction, Decay.LINEAR);
    }

    /** Warmup over {@code fraction} of the steps, then {@code decay}. */
    public static LrSchedule warmup(double peak, long totalSteps, double fraction, Decay decay) {
        return new LrSchedule(peak, Math.round(totalSteps * fraction), totalSteps, decay);
    }

    /** Learning rate at 0-based step {@code s}. */
    public double at(long s) {
        if (s < warmupSteps) {
            return peak * (s + 1) / warmupSteps;
        }
        long decaySteps = totalSteps - warmupSteps;
        if (decaySteps == 0) {
            return peak;
        }
        return switch (decay) {
            case LINEAR -> peak * Math.max(0, (double) (totalSteps - s) / decaySteps);
            case COSINE -> peak * (1 + Math.cos(Math.PI * Math.min(1, (double) (s - warmupSteps) / decaySteps))) / 2;
        };
    }
}
