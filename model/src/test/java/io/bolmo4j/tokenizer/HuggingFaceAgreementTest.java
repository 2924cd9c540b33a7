package io.bolmo4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token for token against Hugging Face's Rust tokenizers (through DJL): the real dolma2, Qwen 3 and Llama 3
 * tokenizer.json files and files that
 * exercise every supported feature, over real and adversarial text. For each text: ids and offsets without and with
 * {@code add_special_tokens}, and decoding with and without special tokens. Prints the figures.
 * <p>
 * An unpaired surrogate is U+FFFD for {@link BpeTokenizer}; DJL's JNI bridge hands Rust the surrogate's three
 * CESU-8 bytes (three U+FFFD), so the reference is given the text with U+FFFD already in place.
 */
class HuggingFaceAgreementTest {
    /** Texts that stress normalization, offsets, added tokens and the decoders. */
    static final List<String> ADVERSARIAL = List.of(
            "e\u0301 cafe\u0301 A\u030Angstro\u0308m Ångström x\u0323\u0307 q\u0307\u0323 ﬁx ﬁ ① ｈｅｌｌｏ Ⅻ ㎏",
            "\u1100\u1161\u11A8 한국어 \u0915\u093C \u0958 Å Ω ǅ",
            "👩🏽‍💻 👨‍👩‍👧 🏳️‍🌈 ✋🏿 🇯🇵🇫🇷 #️⃣ ❤️",
            "a\r\nb\r\n\r\nc\rd\n\n\ne \r\n",
            " ".repeat(100) + "\t\t\n   x" + "\n".repeat(20) + "\t".repeat(9),
            "1234567890 ١٢٣٤ ½ 3.14159 12,345,678 ²³ 0x7F 00000",
            "<|endoftext|>hello<mask> there [SEP]  cat concat cat. <s>x</s> <unk> <0x41>",
            "  <mask>  [SEP]   <|pad|><|endoftext|><|endoftext|> cat,cat cats",
            "İstanbul ΣΑΣ ΌΣΟΣ Straße ǅungla ᾼ ﬀ",
            "nul\u0000bel\u0007bom\uFEFFzw\u200Bj\u200Dnj\u200C\u00AD end\u0085\u2028\u2029",
            "a\uD83Db \uDE00c\uD83D",
            "東京は日本の首都です。中文测试，标点！ 𠀀𪚥 〇",
            "▁leading metaspace ▁▁ and <0xE2><0x82>",
            "don't I'll we've O'Neil 'quoted' ''",
            "", " ", "x", "\n");

    private static final String[] POOL = {
            "a", "Z", "é", "e\u0301", "A\u030A", "ß", "ſ", "K", "東", "한", "\u1100\u1161", "ب", "ी", "\u0301", "\u0323",
            "1", "9", "²", "③", "Ⅻ", "٣", " ", " ", " ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028", "\u200b",
            "'", "'s", ".", ",", "!", "?", "-", "_", "(", "<", "|", ">", "#", "$", "€", "😀", "👍🏽", "\u200d", "ﬁ",
            "the", "ing", "   ", "\n\n", "...", "1234", "<mask>", "[SEP]", "cat", "<|endoftext|>", "<s>", "▁", "İ"};

    private static final List<String> SUMMARY = new ArrayList<>();

    @AfterAll
    static void printFigures() {
        System.out.println("Hugging Face agreement (tokenizers 0.21 via DJL), ids + offsets + decode:");
        SUMMARY.forEach(System.out::println);
    }

    static List<String> texts() {
        List<String> texts = new ArrayList<>(Fixtures.CASES);
        texts.addAll(ADVERSARIAL);
        Random rnd = new Random(11);
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder();
            for (int n = rnd.nextInt(24); n > 0; n--) {
                sb.append(POOL[rnd.nextInt(POOL.length)]);
            }
            texts.add(sb.toString());
        }
        texts.add(Fixtures.prose());
        texts.addAll(Fixtures.corpus());
        return texts;
    }

    /** The real dolma2 tokenizer.json (gunzipped to a temp file; the Rust library reads paths). */
    static Path dolma2() {
        Path file = Fixtures.dir().resolve("dolma2-tokenizer.json");
        if (!Files.exists(file)) {
            try (InputStream in = new GZIPInputStream(
                    HuggingFaceAgreementTest.class.getResourceAsStream("dolma2-tokenizer.json.gz"))) {
                Files.write(file, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            file.toFile().deleteOnExit();
        }
        return file;
    }

    @Test
    void realDolma2Tokenizer() {
        assertEquals(0, agree("dolma2 (real)", dolma2()));
    }

    @Test
    void realQwen3Tokenizer() {
        assertEquals(0, agree("Qwen 3 (real, 151,669 ids)", FamilyTokenizers.file("qwen3")));
    }

    @Test
    void realLlama3Tokenizer() {
        assertEquals(0, agree("Llama 3 (real, 128,256 ids)", FamilyTokenizers.file("llama3")));
    }

    @Test
    void featureFiles() throws IOException {
        int mismatches = 0;
        for (Map.Entry<String, String> f : FeatureTokenizers.all().entrySet()) {
            Path file = Files.writeString(Fixtures.dir().resolve(f.getKey() + ".json"), f.getValue());
            file.toFile().deleteOnExit();
            mismatches += agree(f.getKey(), file);
        }
        assertEquals(0, mismatches);
    }

    /** @return the number of mismatching texts; prints the figures and the first differences */
    private static int agree(String name, Path file) {
        BpeTokenizer ours = BpeTokenizer.load(file);
        List<String> texts = texts();
        int mismatches = 0;
        long tokens = 0;
        List<String> examples = new ArrayList<>();
        try (HuggingFaceTokenizer hf = Fixtures.huggingFace(file)) {
            for (String text : texts) {
                String problem = null;
                for (boolean special : new boolean[] {false, true}) {
                    Encoding enc = ours.encode(text, true, special);
                    ai.djl.huggingface.tokenizers.Encoding ref = hf.encode(Utf8.wellFormed(text), special, false);
                    tokens += ref.getIds().length;
                    problem = problem != null ? problem : compare(text, enc, ref, special);
                    for (boolean skip : new boolean[] {false, true}) {
                        String expected = hf.decode(ref.getIds(), skip);
                        String actual = ours.decode(enc.ids(), skip);
                        if (problem == null && !expected.equals(actual)) {
                            problem = "decode(skip=" + skip + "): " + show(actual) + " vs HF " + show(expected);
                        }
                    }
                }
                if (problem != null) {
                    mismatches++;
                    if (examples.size() < 5) {
                        examples.add("  " + Reference.abbrev(show(text)) + ": " + problem);
                    }
                }
            }
        }
        SUMMARY.add(String.format("  %-16s %5d texts, %8d tokens, %d mismatches", name, texts.size(), tokens, mismatches));
        examples.forEach(SUMMARY::add);
        return mismatches;
    }

    private static String compare(String text, Encoding enc, ai.djl.huggingface.tokenizers.Encoding ref,
                                  boolean special) {
        long[] ids = Arrays.stream(enc.ids()).asLongStream().toArray();
        if (!Arrays.equals(ref.getIds(), ids)) {
            return "ids (special=" + special + ") " + Arrays.toString(enc.ids()) + " vs HF " + Arrays.toString(ref.getIds());
        }
        int[] cpOfByte = Reference.codePointIndexOfByte(Utf8.wellFormed(text));
        CharSpan[] spans = ref.getCharTokenSpans();
        for (int i = 0; i < enc.size(); i++) {
            int s = enc.byteStart()[i];
            int e = enc.byteEnd()[i];
            int start = s < cpOfByte.length ? cpOfByte[s] : cpOfByte.length == 0 ? 0 : cpOfByte[cpOfByte.length - 1] + 1;
            int end = e > s ? cpOfByte[e - 1] + 1 : start;
            if (spans[i] == null) {
                // DJL reports no span for a token HF placed at 0..0 (a special token the template added).
                if (e != s) {
                    return "token " + i + " has no span in HF but " + start + ".." + end + " here";
                }
                continue;
            }
            if (spans[i].getStart() != start || spans[i].getEnd() != end) {
                return "offsets of token " + i + " (special=" + special + "): " + start + ".." + end + " vs HF "
                        + spans[i].getStart() + ".." + spans[i].getEnd();
            }
        }
        return null;
    }

    private static String show(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> sb.append(c >= 0x20 && c < 0x7F ? Character.toString(c)
                : String.format("\\u{%X}", c)));
        return sb.toString();
    }

    @Test
    void dolma2LoadsFast() {
        long t0 = System.nanoTime();
        BpeTokenizer tok = BpeTokenizer.load(dolma2());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(100278, tok.vocabSize());
        assertEquals(100257, tok.eosId());
        System.out.printf("dolma2 tokenizer.json loads in %.2f s%n", seconds);
        assertTrue(seconds < 5, "loading took " + seconds + " s");
    }
}
