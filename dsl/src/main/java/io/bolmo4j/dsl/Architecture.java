package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.BolmoConfig;

import java.util.function.Consumer;

/**
 * The local parts of a Bolmo that a Stage 1 architecture check can vary (paper §4, Table 3): encoder and decoder
 * depth, the subword-suffix embeddings and causal vs non-causal boundary prediction. Defaults are the paper's (1 encoder
 * layer, 4 decoder layers, suffix embeddings on, one byte of lookahead).
 */
public final class Architecture {
    private int encoderLayers = 1;
    private int decoderLayers = 4;
    private boolean suffixEmbeddings = true;
    private boolean causalBoundaries = false;
    private long seed;

    /** The architecture {@code options} describe. */
    static Architecture of(Consumer<Architecture> options) {
        Architecture a = new Architecture();
        options.accept(a);
        return a;
    }

    /** mLSTM layers of the local encoder (default 1). */
    public Architecture encoderLayers(int n) {
        this.encoderLayers = positive(n, "encoderLayers");
        return this;
    }

    /** mLSTM layers of the local decoder (default 4). */
    public Architecture decoderLayers(int n) {
        this.decoderLayers = positive(n, "decoderLayers");
        return this;
    }

    /** Whether bytes also get the embedding of the longest subword ending at them (docs/bolmo.md §2.3; default true). */
    public Architecture subwordSuffixEmbeddings(boolean on) {
        this.suffixEmbeddings = on;
        return this;
    }

    /**
     * Whether the boundary predictor is causal (byte t's patch end decided without seeing byte t+1, as in prior
     * byte-level models) instead of Bolmo's one byte of lookahead (paper §6.1, Table 3; default false).
     */
    public Architecture causalBoundaries(boolean on) {
        this.causalBoundaries = on;
        return this;
    }

    /** Seed of the local parts' random initialisation (default 0). */
    public Architecture seed(long s) {
        this.seed = s;
        return this;
    }

    long seed() {
        return seed;
    }

    private static int positive(int n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + n);
        }
        return n;
    }

    BolmoConfig apply(BolmoConfig c) {
        return c.with("num_local_encoder_layers", encoderLayers).with("num_local_decoder_layers", decoderLayers)
                .with("add_expanded_embeddings", suffixEmbeddings).with("boundary_predictor_lookahead", causalBoundaries ? 0 : 1);
    }

    @Override
    public String toString() {
        return "encoder " + encoderLayers + ", decoder " + decoderLayers + (suffixEmbeddings ? ", suffix embeddings" : "")
                + (causalBoundaries ? ", causal boundaries" : "");
    }
}
