package io.bolmo4j.export;

import java.util.Arrays;
import java.util.Locale;

/**
 * Unsigned integer types of OLMo-core's numpy token arrays. OLMo-core picks the smallest that holds
 * {@code vocab_size - 1} ({@code NumpyDatasetConfig.get_dtype}); bolmo-core's byte datasets read uint32 whatever the
 * vocabulary ({@code NumpyByteFSLDatasetConfig.build}), which is why {@link BolmoCoreExport} writes {@link #UINT32}.
 */
public enum TokenDtype {
    UINT8(1), UINT16(2), UINT32(4);

    private final int bytes;

    TokenDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per id. */
    public int bytes() {
        return bytes;
    }

    /** The largest id this type holds. */
    public long max() {
        return (1L << (8 * bytes)) - 1;
    }

    /** The numpy name, e.g. {@code uint16}. */
    public String numpyName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** OLMo-core's choice for a vocabulary of {@code vocabSize} ids: the smallest type holding {@code vocabSize - 1}. */
    public static TokenDtype forVocab(int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocabSize);
        }
        return Arrays.stream(values()).filter(t -> vocabSize - 1L <= t.max()).findFirst().orElseThrow(); // an int always fits uint32
    }
}
