package io.bolmo4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The full cl100k tokenizer.json read by BpeTokenizer agrees with jtokkit (tiktoken) and with Hugging Face. */
class Cl100kAgreementTest {
    private static final com.knuddels.jtokkit.api.Encoding JTOKKIT =
            Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    private static HuggingFaceTokenizer hf;

    @BeforeAll
    static void open() {
        hf = Fixtures.huggingFace(Fixtures.fullJson());
    }

    @AfterAll
    static void close() {
        hf.close();
    }

    private static List<String> texts() {
        List<String> texts = new ArrayList<>(Fixtures.CASES);
        texts.add(Fixtures.prose());
        texts.addAll(Fixtures.corpus());
        return texts;
    }

    @Test
    void idsMatchJtokkit() {
        BpeTokenizer tok = Fixtures.full();
        for (String text : texts()) {
            assertArrayEquals(JTOKKIT.encodeOrdinary(text).toArray(), tok.encodeIds(text),
                    () -> "ids of " + Reference.abbrev(text));
        }
    }

    @Test
    void idsAndOffsetsMatchHuggingFace() {
        BpeTokenizer tok = Fixtures.full();
        for (String text : texts()) {
            if (text.contains("<|")) {
                continue; // HF always splits out specials; covered by specialTokensSplitLikeHuggingFace
            }
            Encoding enc = tok.encode(text);
            Reference.assertOffsetsConsistent(tok, text, enc);
            Reference.assertAgreesWithHuggingFace(hf, text, enc);
        }
    }

    @Test
    void decodeInvertsEncode() {
        BpeTokenizer tok = Fixtures.full();
        for (String text : texts()) {
            assertEquals(text, tok.decode(tok.encodeIds(text)));
            assertEquals(text, tok.decode(tok.encodeIds(text, true)));
        }
    }

    @Test
    void specialTokensSplitLikeHuggingFace() {
        BpeTokenizer tok = Fixtures.full();
        String text = "Hello<|endoftext|>world <|pad|><|pad|>\n<|fim_prefix|>x<|endofprompt|>";
        Encoding enc = tok.encode(text, true);
        Reference.assertOffsetsConsistent(tok, text, enc);
        Reference.assertAgreesWithHuggingFace(hf, text, enc);
        int[] ids = enc.ids();
        assertEquals(100257, ids[1]);
        assertEquals(List.of(220, 100277, 100277), List.of(ids[3], ids[4], ids[5]));
        assertEquals("Helloworld \nx", tok.decode(ids, true));
        assertEquals(text, tok.decode(ids));
        // Not allowed: the same text is ordinary text, as tiktoken's encode_ordinary does.
        assertArrayEquals(JTOKKIT.encodeOrdinary(text).toArray(), tok.encodeIds(text, false));
    }

    @Test
    void dolma2Ids() {
        BpeTokenizer tok = Fixtures.full();
        assertEquals(100257, tok.eosId());
        assertEquals(100277, tok.padId().getAsInt());
        assertEquals(100278, tok.vocabSize());
        assertEquals(List.of(100257, 100258, 100259, 100260, 100276, 100277),
                List.copyOf(tok.specialTokens().values()));
    }
}
