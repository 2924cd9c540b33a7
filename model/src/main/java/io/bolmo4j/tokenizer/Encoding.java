package io.bolmo4j.tokenizer;

import java.util.Arrays;

/**
 * Token ids of a text with, per token, its byte span {@code [byteStart, byteEnd)} in the text's UTF-8 encoding.
 * Spans tile the encoding in order; a token that holds part of a multi-byte character spans just those bytes.
 * The accessors return the arrays themselves (no copy): the encoding is a fresh value owned by its caller.
 *
 * @param ids       the token ids
 * @param byteStart per token, the UTF-8 byte offset where it starts
 * @param byteEnd   per token, the UTF-8 byte offset just past its end
 */
public record Encoding(int[] ids, int[] byteStart, int[] byteEnd) {
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
