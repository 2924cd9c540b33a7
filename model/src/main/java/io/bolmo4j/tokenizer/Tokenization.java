package io.bolmo4j.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.Arrays;
import java.util.List;

/**
 * A text as a subword tokenizer encodes it, Hugging Face style (literal special-token strings are special tokens).
 *
 * @param ids       the token ids
 * @param tokens    each token's string as in tokenizer.json (byte-level spelling, or an added token's content)
 * @param byteStart per token, the UTF-8 byte offset in the text where it starts (0 for tokens a post-processor added)
 * @param byteEnd   per token, the UTF-8 byte offset just past its end
 */
public record Tokenization(int[] ids, List<String> tokens, int[] byteStart, int[] byteEnd) {
    /**
     * @param addSpecialTokens whether the tokenizer's post-processor adds its special tokens (e.g. BOS), as
     *                         Hugging Face's {@code add_special_tokens}
     */
    public static Tokenization of(BpeTokenizer tokenizer, String text, boolean addSpecialTokens) {
        Encoding e = tokenizer.encode(text, true, addSpecialTokens);
        List<String> tokens = Arrays.stream(e.ids()).mapToObj(tokenizer::tokenString).toList();
        return new Tokenization(e.ids(), tokens, e.byteStart(), e.byteEnd());
    }

    /** @return the number of tokens */
    public int size() {
        return ids.length;
    }

    /** @return {@code {"ids": [...], "tokens": [...]}} and, with {@code offsets}, {@code "offsets": [[start, end], ...]} */
    public JsonObject toJson(boolean offsets) {
        JsonObject j = new JsonObject();
        j.add("ids", array(ids));
        JsonArray t = new JsonArray();
        tokens.forEach(t::add);
        j.add("tokens", t);
        if (offsets) {
            JsonArray o = new JsonArray();
            for (int i = 0; i < ids.length; i++) {
                o.add(array(new int[] {byteStart[i], byteEnd[i]}));
            }
            j.add("offsets", o);
        }
        return j;
    }

    /** @return {@code values} as a JSON array */
    public static JsonArray array(int[] values) {
        JsonArray a = new JsonArray();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }
}
