package io.bolmo4j.train;

/** Linear warmup to the peak, then linear decay to zero (the paper's "Warmup + Linear", Table 8). */
public record LrSchedule(double peak, long warmupSteps, long totalSteps) {
    public LrSchedule {
        if (!(peak > 0) || warmupSteps < 0 || totalSteps < 1 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("invalid schedule: peak " + peak + ", warmup " + warmupSteps + ", total " + totalSteps);
        }
    }

    /** Warmup over {@code fraction} of the steps (the paper uses 10 %). */
    public static LrSchedule warmupLinear(double peak, long totalSteps, double fraction) {
        return new LrSchedule(peak, Math.round(totalSteps * fraction), totalSteps);
    }

    /** Learning rate at 0-based step {@code s}. */
    public double at(long s) {
        if (s < warmupSteps) {
            return peak * (s + 1) / warmupSteps;
        }
        long decay = totalSteps - warmupSteps;
        return decay == 0 ? peak : peak * Math.max(0, (double) (totalSteps - s) / decay);
    }
}
