package io.bolmo4j.dsl;

import io.bolmo4j.generate.SamplingOptions;

/**
 * How new text is sampled, for {@link Olmo.Generation} and {@link Chat}: from {@link SamplingOptions#defaults()}, the
 * command line's defaults too (greedy, 100 new tokens, bytes for a Bolmo), with up to {@code maxNew} new tokens, a
 * temperature (0 = greedy), top-k (0 = off) and top-p (nucleus mass, 1 = off), drawn with {@code seed}.
 *
 * @param <S> the options' own type, returned by every setter for chaining
 */
public abstract class Sampling<S extends Sampling<S>> {
    private SamplingOptions options = SamplingOptions.defaults();

    Sampling() {}

    public S maxNew(int n) {
        return set("maxNewTokens", n);
    }

    public S temperature(double t) {
        return set("temperature", t);
    }

    public S topK(int k) {
        return set("topK", k);
    }

    public S topP(double p) {
        return set("topP", p);
    }

    public S seed(long s) {
        return set("seed", s);
    }

    @SuppressWarnings("unchecked")
    private S set(String setting, Object value) {
        options = options.with(setting, value);
        return (S) this;
    }

    SamplingOptions options() {
        return options;
    }
}
