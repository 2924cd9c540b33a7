package io.bolmo4j.bolmo;

import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import io.bolmo4j.tokenizer.FamilyTokenizers;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ByteVocabularyTest {
    @Test
    void byteTokenizerFollowsSpecI6() {
        assertArrayEquals(new int[] {1, 69}, ByteTokenizer.encode("A"));
        assertEquals("AA", ByteTokenizer.decode(new int[] {1, 69, 329}, true));
        assertEquals("<bos>AA", ByteTokenizer.decode(new int[] {1, 69, 329}, false));
        String s = "héllo 🌍 wörld\n";
        assertEquals(s, ByteTokenizer.decode(ByteTokenizer.encode(s), true));
        BpeTokenizer tiny = Cl100kVocab.firstRanks(256).tokenizer();
        assertArrayEquals(new int[] {1, 4 + 'a', 1, 4 + 'b'}, ByteTokenizer.encode("a<|endoftext|>b", tiny));
        assertEquals(ByteTokenizer.fused(69), 69 + 260);
        assertEquals(520, ByteTokenizer.VOCAB);
    }

    /** Brute force: the longest vocabulary entry whose bytes end the prefix. */
    private static int bruteForce(BpeTokenizer tok, byte[][] vocab, int[] ids, int i) {
        int best = -1, bestLen = 0;
        for (int id = 0; id < vocab.length; id++) {
            byte[] v = vocab[id];
            if (v == null || v.length <= bestLen || v.length > i) {
                continue;
            }
            boolean match = true;
            for (int k = 0; k < v.length && match; k++) {
                match = ids[i - k] == 4 + (v[v.length - 1 - k] & 0xFF);
            }
            if (match) {
                best = id;
                bestLen = v.length;
            }
        }
        return best;
    }

    @Test
    void suffixTrieFindsTheLongestVocabularySuffixSpecI7() {
        BpeTokenizer tok = Cl100kVocab.firstRanks(2048).tokenizer();
        SubwordSuffixTrie trie = SubwordSuffixTrie.of(tok);
        byte[][] vocab = new byte[tok.vocabSize()][];
        for (int id = 0; id < tok.vocabSize(); id++) {
            if (!tok.isSpecial(id)) {
                vocab[id] = tok.tokenBytes(id);
            }
        }
        Random r = new Random(5);
        String[] words = {"the", " the", " ing", "tion", " of", " and", "é", "🌍", "\n", "  ", "ness", "ed", " q"};
        for (int trial = 0; trial < 30; trial++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                sb.append(words[r.nextInt(words.length)]);
            }
            int[] ids = ByteTokenizer.encode(sb.toString());
            int[] exp = trie.expand(ids);
            assertEquals(tok.eosId(), exp[0], "BOS maps to <|endoftext|>");
            for (int i = 1; i < ids.length; i++) {
                assertEquals(bruteForce(tok, vocab, ids, i), exp[i], "position " + i + " of '" + sb + "'");
            }
            // fused ids and <bpe_token_end> markers do not change the result
            int[] fused = Arrays.stream(ids).map(ByteTokenizer::fused).toArray();
            assertArrayEquals(exp, trie.expand(fused));
        }
        for (int b = 0; b < 256; b++) {
            // after BOS the longest suffix is the single byte itself: every byte is covered
            int[] ids = {ByteTokenizer.BOS, 4 + b};
            assertArrayEquals(new byte[] {(byte) b}, tok.tokenBytes(trie.expand(ids)[1]), "byte " + b);
        }
    }

    /**
     * The trie over the real Qwen 3 (151,669 ids) and Llama 3 (128,256) vocabularies: the longest suffix at every
     * position of a text against brute force, the family's BOS and end-of-text ids on the byte BOS, and the build time
     * and memory printed.
     */
    @Test
    void suffixTrieOverTheRealQwen3AndLlama3Vocabularies() {
        String text = "Call me Ishmael. Naïve café 東京 👍🏽\r\n  12345 supercalifragilistic internationalization";
        BpeTokenizer llama = BpeTokenizer.load(FamilyTokenizers.file("llama3"));
        for (String family : List.of("qwen3", "llama3")) {
            BpeTokenizer tok = family.equals("llama3") ? llama : BpeTokenizer.load(FamilyTokenizers.file(family));
            long t0 = System.nanoTime();
            SubwordSuffixTrie trie = SubwordSuffixTrie.of(tok);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%s: suffix trie over %,d ids built in %.2f s, %.1f MB%n", family, tok.vocabSize(),
                    seconds, trie.memoryBytes() / 1e6);
            byte[][] vocab = new byte[tok.vocabSize()][];
            for (int id = 0; id < tok.vocabSize(); id++) {
                if (tok.isValidId(id) && !tok.isSpecial(id)) {
                    vocab[id] = tok.tokenBytes(id);
                }
            }
            int[] ids = ByteTokenizer.encode(text);
            int[] exp = trie.expand(ids);
            assertEquals(tok.bosId(), exp[0], family + ": the byte BOS stands for the teacher's BOS");
            for (int i = 1; i < ids.length; i++) {
                assertEquals(bruteForce(tok, vocab, ids, i), exp[i], family + " position " + i);
            }
        }
        assertEquals(llama.tokenId("<|begin_of_text|>").getAsInt(), llama.bosId());
        assertEquals(llama.tokenId("<|end_of_text|>").getAsInt(), llama.eosId());
        assertArrayEquals(new int[] {1, 4 + 'a', 1, 4 + 'b', 1}, ByteTokenizer.encode("a<|end_of_text|>b<|begin_of_text|>", llama),
                "Llama 3's BOS and end-of-text strings are the byte BOS; <|endoftext|> is just text to it");
        assertEquals(1 + "<|endoftext|>".length(), ByteTokenizer.encode("<|endoftext|>", llama).length);
    }
}
