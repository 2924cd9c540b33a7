package io.bolmo4j.bolmo;

import com.google.gson.JsonObject;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Tokenization;

import java.util.Arrays;

/**
 * A text as a Bolmo sees it: its teacher's subword tokens (which define the boundaries Bolmo learns) and its own
 * 520-id byte ids ({@link ByteTokenizer}: byte b is id 4 + b, the teacher's BOS and end-of-text tokens are id 1).
 *
 * @param subword the subword tokenization
 * @param byteIds the byte ids, starting with BOS (id 1) when special tokens are added
 */
public record BolmoTokenization(Tokenization subword, int[] byteIds) {
    /** @param addSpecialTokens whether the subword post-processor's special tokens and the byte BOS are added */
    public static BolmoTokenization of(BpeTokenizer subwordTokenizer, String text, boolean addSpecialTokens) {
        int[] bytes = ByteTokenizer.encode(text, subwordTokenizer);
        return new BolmoTokenization(Tokenization.of(subwordTokenizer, text, addSpecialTokens),
                addSpecialTokens ? bytes : Arrays.copyOfRange(bytes, 1, bytes.length));
    }

    /** @return the subword JSON ({@link Tokenization#toJson}) with {@code "byte_ids": [...]} */
    public JsonObject toJson(boolean offsets) {
        JsonObject j = subword.toJson(offsets);
        j.add("byte_ids", Tokenization.array(byteIds));
        return j;
    }
}
