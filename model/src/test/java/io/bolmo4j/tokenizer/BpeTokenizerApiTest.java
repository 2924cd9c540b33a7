package io.bolmo4j.tokenizer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTokenizerApiTest {

    @Test
    void tokenLookups() {
        BpeTokenizer tok = Fixtures.full();
        int the = tok.tokenId("Ġthe").getAsInt();
        assertEquals("Ġthe", tok.tokenString(the));
        assertArrayEquals(" the".getBytes(StandardCharsets.UTF_8), tok.tokenBytes(the));
        assertArrayEquals(new int[] {the}, tok.encodeIds(" the"));
        assertEquals("<|endoftext|>", tok.tokenString(100257));
        assertArrayEquals("<|pad|>".getBytes(StandardCharsets.UTF_8), tok.tokenBytes(100277));
        // cl100k leaves 100256 and 100261..100275 unused.
        assertFalse(tok.isValidId(100256) || tok.isValidId(100261) || tok.isValidId(100278) || tok.isValidId(-1));
        assertTrue(tok.isValidId(100255) && tok.isValidId(100276));
        assertThrows(TokenizerException.class, () -> tok.tokenString(100256));
        assertThrows(TokenizerException.class, () -> tok.decode(new int[] {100256}));
        byte[] copy = tok.tokenBytes(the);
        copy[0] = 'x';
        assertEquals(' ', tok.tokenBytes(the)[0], "tokenBytes returns a copy");
    }

    @Test
    void tokensCanSplitACharacter() {
        BpeTokenizer tok = Fixtures.small();
        String text = "🤖";
        Encoding enc = tok.encode(text);
        assertTrue(enc.size() > 1, "a rare 4-byte emoji is split in the small vocab");
        assertEquals(text, tok.decode(enc.ids()));
        assertTrue(tok.decode(new int[] {enc.ids()[0]}).contains("\uFFFD"));
        Reference.assertOffsetsConsistent(tok, text, enc);
    }

    @Test
    void unpairedSurrogatesEncodeAsReplacementCharacters() {
        BpeTokenizer tok = Fixtures.full();
        String text = "a\uD83Db \uDE00c\uD83D";
        Encoding enc = tok.encode(text);
        String replaced = "a\uFFFDb \uFFFDc\uFFFD";
        Reference.assertOffsetsConsistent(tok, replaced, enc);
        assertArrayEquals(tok.encodeIds(replaced), enc.ids());
    }

    @Test
    void concurrentEncodingIsConsistent() throws Exception {
        BpeTokenizer tok = Cl100kVocab.firstRanks(4096).tokenizer();
        List<String> texts = new ArrayList<>(Fixtures.CASES);
        texts.add(Fixtures.prose());
        List<int[]> expected = texts.stream().map(tok::encodeIds).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int rep = 0; rep < 20; rep++) {
                        for (int i = 0; i < texts.size(); i++) {
                            assertArrayEquals(expected.get(i), tok.encodeIds(texts.get(i)));
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void vocabBuilderArguments() {
        assertThrows(IllegalArgumentException.class, () -> Cl100kVocab.firstRanks(255));
        assertThrows(IllegalArgumentException.class, () -> Cl100kVocab.firstRanks(Cl100kVocab.RANKS + 1));
        Cl100kVocab v = Cl100kVocab.firstRanks(300);
        assertEquals(300, v.rankCount());
        BpeTokenizer tok = v.tokenizer();
        assertEquals(302, tok.vocabSize());
        assertEquals("hello world", tok.decode(tok.encodeIds("hello world")));
    }

    /** SentencePiece-style vocabularies: tokenBytes gives the text a token stands for, so tokens still spell the input. */
    @Test
    void tokenBytesOfMetaspaceAndByteFallbackTokens() {
        BpeTokenizer tok = BpeTokenizer.fromJson(FeatureTokenizers.metaspace());
        assertArrayEquals(" the".getBytes(StandardCharsets.UTF_8), tok.tokenBytes(tok.tokenId("▁the").getAsInt()));
        assertArrayEquals(new byte[] {(byte) 0xE2}, tok.tokenBytes(tok.tokenId("<0xE2>").getAsInt()));
        String text = "Hello world, 𓀀𓁐 𪚥 東京";
        Encoding enc = tok.encode(text);
        assertTrue(Arrays.stream(enc.ids()).anyMatch(id -> tok.tokenString(id).startsWith("<0x")),
                "rare characters fall back to bytes");
        ByteArrayOutputStream spelled = new ByteArrayOutputStream();
        for (int id : enc.ids()) {
            spelled.writeBytes(tok.tokenBytes(id));
        }
        // Metaspace puts one space in front of the first piece; otherwise the tokens spell the text exactly.
        assertEquals(" " + text, spelled.toString(StandardCharsets.UTF_8));
        assertEquals(text, tok.decode(enc.ids()));
    }
}
