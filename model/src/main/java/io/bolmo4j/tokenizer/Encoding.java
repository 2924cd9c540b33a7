package io.bolmo4j.tokenizer;

import java.util.Arrays;

/**
 * Token ids of a text with, per token, its byte span {@code [byteStart, byteEnd)} in the text's UTF-8 encoding.
 * Spans tile the encoding in order; a token that holds part of a multi-byte character spans just those bytes.
 * The accessors return the arrays themselves (no copy): the encoding is a fresh value owned by its caller.
 */
public final class Encoding {
    private final int[] ids;
    private final int[] byteStart;
    private final int[] byteEnd;

    Encoding(int[] ids, int[] byteStart, int[] byteEnd) {
        this.ids = ids;
        this.byteStart = byteStart;
        this.byteEnd = byteEnd;
    }

    /** @return the token ids */
    public int[] ids() {
        return ids;
    }

    /** @return per token, the UTF-8 byte offset where it starts */
    public int[] byteStart() {
        return byteStart;
    }

    /** @return per token, the UTF-8 byte offset just past its end */
    public int[] byteEnd() {
        return byteEnd;
    }

    /** @return per UTF-8 byte of the text, whether a token ends there (the spans tile the text, so this covers it all) */
    public boolean[] tokenEnds() {
        boolean[] ends = new boolean[ids.length == 0 ? 0 : byteEnd[ids.length - 1]];
        for (int end : byteEnd) {
            if (end > 0) {
                ends[end - 1] = true;
            }
        }
        return ends;
    }

    /** @return the number of tokens */
    public int size() {
        return ids.length;
    }

    @Override
    public String toString() {
        return "Encoding" + Arrays.toString(ids);
    }
}
