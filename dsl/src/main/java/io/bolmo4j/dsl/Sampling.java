package io.bolmo4j.dsl;

import io.bolmo4j.generate.SamplingOptions;

/**
 * How new text is sampled, for {@link Olmo.Generation} and {@link Chat}: up to {@code maxNew} new tokens (bytes, for a
 * Bolmo), greedy unless a temperature is set, then top-k (0 = off) and top-p (nucleus mass, 1 = off), drawn with
 * {@code seed}.
 *
 * @param <S> the options' own type, returned by every setter for chaining
 */
public abstract class Sampling<S extends Sampling<S>> {
    private int maxNew;
    private double temperature;
    private int topK;
    private double topP = 1;
    private long seed;

    Sampling(int maxNew) {
        this.maxNew = maxNew;
    }

    public S maxNew(int n) {
        maxNew = n;
        return self();
    }

    public S temperature(double t) {
        temperature = t;
        return self();
    }

    public S topK(int k) {
        topK = k;
        return self();
    }

    public S topP(double p) {
        topP = p;
        return self();
    }

    public S seed(long s) {
        seed = s;
        return self();
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    SamplingOptions options() {
        return new SamplingOptions(maxNew, temperature, topK, topP, seed);
    }
}
