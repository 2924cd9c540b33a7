package io.bolmo4j.train;

import static io.bolmo4j.train.Settings.require;

/**
 * The settings of the optimisation loop every trainer shares ({@link Trainer}): AdamW (β = 0.9, 0.95) for
 * {@code steps} steps of {@code batch} examples, the learning rate warmed up linearly over a fraction of the steps and
 * then decayed to zero (linearly or on a cosine), weight decay except on norms and embedding tables, global-norm clipping, and a seed for the
 * batches.
 */
public record Loop(
        @Setting("optimizer steps") int steps,
        @Setting("examples per step") int batch,
        @Setting("peak learning rate (Stage 2: of the local models; the global model gets half)") double lr,
        @Setting("share of the steps over which the learning rate warms up linearly") double warmupFraction,
        @Setting("how the learning rate decays to zero after the warmup") LrSchedule.Decay schedule,
        @Setting("AdamW's decoupled weight decay (not on norms and embedding tables)") double weightDecay,
        @Setting("global gradient-norm clipping threshold") double clip,
        @Setting("seed of the batch order (and of initialisation, where a run initialises)") long seed) implements SettingsRecord<Loop> {
    public Loop {
        require(steps >= 0, "steps", "an integer >= 0", steps);
        require(batch >= 1, "batch", "an integer >= 1", batch);
        require(lr > 0 && Double.isFinite(lr), "lr", "a finite number > 0", lr);
        require(warmupFraction >= 0 && warmupFraction <= 1, "warmupFraction", "a number from 0 to 1", warmupFraction);
        require(schedule != null, "schedule", "one of LINEAR, COSINE", schedule);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", "a finite number >= 0", weightDecay);
        require(clip > 0 && Double.isFinite(clip), "clip", "a finite number > 0", clip);
    }

    /**
     * 300 steps of 8 examples at peak lr 2e-3 warmed up over 10 % of the steps, linear decay, weight decay 0.1, clipping at 0.5, seed
     * 0: the loop every recipe starts from, changing what differs (Stage 1 and Stage 2 their learning rates).
     */
    public static Loop defaults() {
        return new Loop(300, 8, 2e-3, 0.1, LrSchedule.Decay.LINEAR, 0.1, 0.5, 0);
    }

    /** The learning rate at each step. */
    public LrSchedule learningRates() {
        return LrSchedule.warmup(lr, Math.max(1, steps), warmupFraction, schedule);
    }
}
