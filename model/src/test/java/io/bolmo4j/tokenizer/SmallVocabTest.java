package io.bolmo4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The first 8192 cl100k ranks plus two specials: a small teacher vocabulary. */
class SmallVocabTest {
    private static final int N = Fixtures.SMALL_N;

    private static List<String> texts() {
        List<String> texts = new ArrayList<>(Fixtures.CASES);
        texts.add(Fixtures.prose());
        texts.addAll(Fixtures.corpus());
        return texts;
    }

    @Test
    void idsAndSpecials() {
        BpeTokenizer tok = Fixtures.small();
        assertEquals(N + 2, tok.vocabSize());
        assertEquals(N, tok.eosId());
        assertEquals(N + 1, tok.padId().getAsInt());
        assertEquals(Map.of("<|endoftext|>", N, "<|pad|>", N + 1), tok.specialTokens());
        assertTrue(tok.isSpecial(N) && !tok.isSpecial(N - 1));
        assertArrayEquals(new int[] {N}, tok.encodeIds("<|endoftext|>", true));
        assertEquals(" the", tok.decode(tok.encodeIds(" the<|pad|>", true), true));
    }

    @Test
    void ranksAreCl100kRanks() {
        BpeTokenizer small = Fixtures.small();
        BpeTokenizer full = Fixtures.full();
        for (int id = 0; id < N; id++) {
            assertEquals(full.tokenString(id), small.tokenString(id));
            assertArrayEquals(full.tokenBytes(id), small.tokenBytes(id));
        }
        assertEquals(OptionalInt.of(198), small.tokenId("Ċ")); // "\n"
        assertTrue(small.tokenId("Ġ" + "the".repeat(9)).isEmpty());
        assertEquals("Ġthe", small.tokenString(small.encodeIds(" the")[0]));
    }

    @Test
    void agreesWithHuggingFaceAndRoundTrips() {
        BpeTokenizer tok = Fixtures.small();
        try (HuggingFaceTokenizer hf = Fixtures.huggingFace(Fixtures.smallJson())) {
            for (String text : texts()) {
                Encoding enc = tok.encode(text, true);
                Reference.assertOffsetsConsistent(tok, text, enc);
                Reference.assertAgreesWithHuggingFace(hf, text, enc);
                assertEquals(text, tok.decode(enc.ids()));
                assertTrue(Arrays.stream(enc.ids()).allMatch(id -> id < N + 2));
            }
        }
    }

    /**
     * Merged tokens always outrank their parts, so when the full vocabulary encodes a word with ids below N no merge
     * above N fired, and the truncated vocabulary must give the very same ids.
     */
    @Test
    void wordsWithinTheFirstRanksEncodeAsInTheFullVocab() {
        BpeTokenizer small = Fixtures.small();
        BpeTokenizer full = Fixtures.full();
        int same = 0;
        int words = 0;
        for (String word : Fixtures.prose().split("(?= )")) {
            int[] f = full.encodeIds(word);
            int[] s = small.encodeIds(word);
            words++;
            if (Arrays.stream(f).allMatch(id -> id < N)) {
                assertArrayEquals(f, s, word);
                same++;
            } else {
                assertTrue(Arrays.stream(s).allMatch(id -> id < N), word);
            }
        }
        assertTrue(same > words / 2, same + " of " + words);
    }
}
