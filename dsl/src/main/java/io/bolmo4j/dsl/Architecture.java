package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.BolmoConfig;

/**
 * The local parts of a Bolmo that a Stage 1 architecture check can vary (paper §4, Table 3): encoder and decoder
 * depth and the subword-suffix embeddings. Defaults are the paper's (1 encoder layer, 4 decoder layers, suffix
 * embeddings on).
 */
public final class Architecture {
    private int encoderLayers = 1;
    private int decoderLayers = 4;
    private boolean suffixEmbeddings = true;

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

    /** Whether bytes also get the embedding of the longest subword ending at them (spec §3.2; default true). */
    public Architecture subwordSuffixEmbeddings(boolean on) {
        this.suffixEmbeddings = on;
        return this;
    }

    private static int positive(int n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + n);
        }
        return n;
    }

    BolmoConfig apply(BolmoConfig c) {
        return c.with("num_local_encoder_layers", encoderLayers).with("num_local_decoder_layers", decoderLayers)
                .with("add_expanded_embeddings", suffixEmbeddings);
    }

    @Override
    public String toString() {
        return "encoder " + encoderLayers + ", decoder " + decoderLayers + (suffixEmbeddings ? ", suffix embeddings" : "");
    }
}
