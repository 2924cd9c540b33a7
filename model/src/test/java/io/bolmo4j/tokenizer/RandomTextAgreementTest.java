package io.bolmo4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random strings drawn from characters that sit on the pre-tokenizer's class boundaries (letters, numbers, marks,
 * Unicode and ASCII whitespace, apostrophes, line breaks, 4-byte code points) stress the regex translation and
 * the merge order far harder than prose. Fixed seeds keep failures reproducible.
 */
class RandomTextAgreementTest {
    private static final String[] POOL = {
            "a", "Z", "é", "ß", "ſ", "K", "東", "한", "ب", "ी", "\u0301", "1", "9", "²", "③", "Ⅻ", "٣",
            " ", " ", " ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000", "\u2028", "\u0085", "\u200b", "\u000b",
            "'", "'s", "'LL", "'Re", "\"", ".", ",", "!", "?", "-", "_", "(", ")", "<", "|", ">", "#", "$", "€",
            "😀", "👍🏽", "\u200d", "️", "𝔘", "𝟘", "the", "ing", "tion", "   ", "\n\n", "...", "1234", "00"};

    private static String randomText(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(24);
        for (int i = 0; i < n; i++) {
            sb.append(POOL[rnd.nextInt(POOL.length)]);
        }
        return sb.toString();
    }

    @Test
    void fullVocabMatchesJtokkitAndHuggingFace() {
        BpeTokenizer tok = Fixtures.full();
        var jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        Random rnd = new Random(42);
        try (HuggingFaceTokenizer hf = Fixtures.huggingFace(Fixtures.fullJson())) {
            for (int i = 0; i < 3000; i++) {
                String text = randomText(rnd);
                Encoding enc = tok.encode(text);
                assertArrayEquals(jtokkit.encodeOrdinary(text).toArray(), enc.ids(), () -> "ids of " + escape(text));
                Reference.assertAgreesWithHuggingFace(hf, text, enc);
                Reference.assertOffsetsConsistent(tok, text, enc);
                assertEquals(text, tok.decode(enc.ids()));
            }
        }
    }

    @Test
    void smallVocabMatchesHuggingFace() {
        BpeTokenizer tok = Fixtures.small();
        Random rnd = new Random(7);
        try (HuggingFaceTokenizer hf = Fixtures.huggingFace(Fixtures.smallJson())) {
            for (int i = 0; i < 3000; i++) {
                String text = randomText(rnd);
                Encoding enc = tok.encode(text);
                Reference.assertAgreesWithHuggingFace(hf, text, enc);
                Reference.assertOffsetsConsistent(tok, text, enc);
                assertEquals(text, tok.decode(enc.ids()));
            }
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7F ? Character.toString(c) : String.format("\\u{%X}", c)));
        return sb.append('"').toString();
    }
}
