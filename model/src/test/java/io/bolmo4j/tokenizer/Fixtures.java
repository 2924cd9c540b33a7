package io.bolmo4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.bolmo4j.data.BuiltinCorpus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Generated tokenizer.json files (built once per JVM, in a temp dir), reference tokenizers and sample texts. */
final class Fixtures {
    static final int SMALL_N = 8192;

    /** Texts covering every pre-tokenizer branch and the UTF-8 lengths 1..4. */
    static final List<String> CASES = List.of(
            "", " ", "a", "Hello world",
            "Hello, world! How's it going? (fine) [x] {y} <z> a+b=c; x->y ... ?!",
            "café naïve résumé Ærøskøbing Straße ÉCOLE",
            "東京は日本の首都です。中文测试，标点！ 안녕하세요 세계",
            "नमस्ते दुनिया مرحبا بالعالم สวัสดีครับ Привет, мир",
            "I ❤️ 🍕! 👨‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 👍🏽 tone, 🤖🤖🤖",
            "1234567 12 123456789012 3.14159 1,000,000 2024-01-01 ½ ² ③ Ⅻ",
            "a    b\t\tc \t d     \n\n\n   e   ",
            "line1\r\nline2\r\n\r\n  line3\n\r\r\n\n",
            "I'LL don't we're they've She'S it'd I'm O'Neil 'tis '' it'ſ",
            "a\u00a0b\u3000c\u2003d\u200be\u2028f\u0085g",
            "def f(x):\n    return x**2  # comment\n\tif (a && b) { return; }\n",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!!!!!!!!!!!!!!!!!!",
            " ".repeat(80) + "x" + "=".repeat(200) + "\n".repeat(30),
            "pneumonoultramicroscopicsilicovolcanoconiosis".repeat(4),
            "naïve—“quotes” … «guillemets» ‘single’ ¿qué? ¡sí!",
            "<|endoftext|> written as text, <|pad|> too, and <|fim_prefix|>");

    private static Path dir;
    private static Path fullJson;
    private static Path smallJson;
    private static BpeTokenizer full;
    private static BpeTokenizer small;

    private Fixtures() {
    }

    static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("bolmo4j-tokenizer");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dir.toFile().deleteOnExit();
        }
        return dir;
    }

    static synchronized Path fullJson() {
        if (fullJson == null) {
            fullJson = Cl100kVocab.full().write(dir().resolve("cl100k-full.json"));
            fullJson.toFile().deleteOnExit();
        }
        return fullJson;
    }

    static synchronized Path smallJson() {
        if (smallJson == null) {
            smallJson = Cl100kVocab.firstRanks(SMALL_N).write(dir().resolve("cl100k-8192.json"));
            smallJson.toFile().deleteOnExit();
        }
        return smallJson;
    }

    static synchronized BpeTokenizer full() {
        if (full == null) {
            full = BpeTokenizer.load(fullJson());
        }
        return full;
    }

    static synchronized BpeTokenizer small() {
        if (small == null) {
            small = BpeTokenizer.load(smallJson());
        }
        return small;
    }

    /** Hugging Face tokenizers (Rust) on the same file: no truncation, no BOS/EOS added. */
    static HuggingFaceTokenizer huggingFace(Path json) {
        try {
            return HuggingFaceTokenizer.newInstance(json, Map.of("truncation", "false", "addSpecialTokens", "false",
                    "maxLength", "100000000"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String prose() {
        try (InputStream in = Fixtures.class.getResourceAsStream("prose.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project's built-in corpus (test split): about 30,000 characters of each source, one text per source. */
    static List<String> corpus() {
        List<String> texts = new ArrayList<>();
        for (BuiltinCorpus.Source source : BuiltinCorpus.Source.values()) {
            texts.add(String.join("\n\n", BuiltinCorpus.test(source).head(30_000)));
        }
        return texts;
    }
}
