package io.bolmo4j.olmo;

/**
 * Log-likelihood of a text.
 *
 * @param nllNats total negative log-likelihood in nats
 * @param bytes UTF-8 bytes scored
 * @param tokens units scored (subword tokens, or bytes for a byte-level model)
 */
public record TextScore(double nllNats, long bytes, long tokens) {
    /** Bits per UTF-8 byte: comparable across tokenizers. */
    public double bitsPerByte() {
        return nllNats / (Math.log(2) * bytes);
    }

    /** Per-unit perplexity {@code exp(nll / tokens)}. */
    public double perplexity() {
        return Math.exp(nllNats / tokens);
    }
}
