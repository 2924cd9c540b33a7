package io.bolmo4j.cli;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoTokenization;
import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.dsl.Olmo;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Tokenization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bolmo4j tokenize} and the DSL's {@code tokenize}, checked against Hugging Face's Rust tokenizers. */
class TokenizeCommandTest {
    private static final String TEXT = "Call me Ishmael.<|endoftext|> Naïve 東京 👍🏽\r\n  12345";

    @TempDir
    static Path dir;
    static Path tinyTokenizer;

    @BeforeAll
    static void paths() {
        tinyTokenizer = BuiltinModels.path(BuiltinModels.TINY).resolve("tokenizer.json");
    }


    private static long[] ids(JsonObject j, String key) {
        JsonArray a = j.getAsJsonArray(key);
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    private static HuggingFaceTokenizer huggingFace(Path tokenizerJson) throws IOException {
        return HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("truncation", "false", "maxLength", "100000000"));
    }

    @Test
    void idsAndOffsetsMatchHuggingFace() throws IOException {
        String[] r = CliTest.run("tokenize", "tiny-olmo", "--text", TEXT, "--offsets");
        assertEquals("0", r[0], r[2]);
        JsonObject j = JsonParser.parseString(r[1]).getAsJsonObject();
        byte[] utf8 = TEXT.getBytes(StandardCharsets.UTF_8);
        try (HuggingFaceTokenizer hf = huggingFace(tinyTokenizer)) {
            var ref = hf.encode(TEXT, false, false);
            assertArrayEquals(ref.getIds(), ids(j, "ids"));
            assertArrayEquals(ref.getTokens(), j.getAsJsonArray("tokens").asList().stream()
                    .map(e -> e.getAsString()).toArray(String[]::new));
            assertEquals(TEXT, hf.decode(ids(j, "ids"), false));
        }
        // The offsets tile the text's UTF-8 bytes.
        JsonArray offsets = j.getAsJsonArray("offsets");
        int pos = 0;
        for (int i = 0; i < offsets.size(); i++) {
            assertEquals(pos, offsets.get(i).getAsJsonArray().get(0).getAsInt());
            pos = offsets.get(i).getAsJsonArray().get(1).getAsInt();
        }
        assertEquals(utf8.length, pos);
        assertTrue(!r[1].contains("byte_ids"), "an OLMo directory has no byte ids");
    }

    /** A BOS template, as Llama-style tokenizer.json files have: added only with --add-special-tokens, at 0..0. */
    @Test
    void addSpecialTokensAppliesThePostProcessor() throws IOException {
        Path olmo = Files.createDirectories(dir.resolve("bos"));
        JsonObject json = JsonParser.parseString(Files.readString(tinyTokenizer)).getAsJsonObject();
        int eos = BpeTokenizer.load(tinyTokenizer).eosId();
        json.add("post_processor", JsonParser.parseString("""
                {"type": "TemplateProcessing",
                 "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [%d], "tokens": ["<|endoftext|>"]}}}""".formatted(eos)));
        Files.writeString(olmo.resolve("tokenizer.json"), json.toString());
        String[] plain = CliTest.run("tokenize", olmo.toString(), "--text", TEXT);
        String[] withBos = CliTest.run("tokenize", olmo.toString(), "--text", TEXT, "--add-special-tokens", "--offsets");
        assertEquals("0", withBos[0], withBos[2]);
        JsonObject j = JsonParser.parseString(withBos[1]).getAsJsonObject();
        long[] plainIds = ids(JsonParser.parseString(plain[1]).getAsJsonObject(), "ids");
        try (HuggingFaceTokenizer hf = huggingFace(olmo.resolve("tokenizer.json"))) {
            assertArrayEquals(hf.encode(TEXT, true, false).getIds(), ids(j, "ids"));
            assertArrayEquals(hf.encode(TEXT, false, false).getIds(), plainIds);
        }
        assertEquals(eos, ids(j, "ids")[0]);
        assertEquals("[0,0]", j.getAsJsonArray("offsets").get(0).toString());
    }

    @Test
    void bolmoDirectoryGivesSubwordAndByteIds() {
        Path bolmoDir = dir.resolve("bolmo");
        try (Olmo olmo = Olmo.tiny(); Bolmo bolmo = Bolmo.byteify(olmo)) {
            bolmo.save(bolmoDir);
            Tokenization subword = olmo.tokenize(TEXT);
            BolmoTokenization viaDsl = bolmo.tokenize(TEXT, true);
            assertArrayEquals(subword.ids(), viaDsl.subword().ids());

            String[] r = CliTest.run("tokenize", bolmoDir.toString(), "--text", TEXT);
            assertEquals("0", r[0], r[2]);
            JsonObject j = JsonParser.parseString(r[1]).getAsJsonObject();
            assertArrayEquals(Arrays.stream(subword.ids()).asLongStream().toArray(), ids(j, "ids"));
            // Bolmo's byte ids: 4 + each UTF-8 byte, <|endoftext|> as id 1; BOS (1) only with --add-special-tokens.
            byte[] before = "Call me Ishmael.".getBytes(StandardCharsets.UTF_8);
            long[] byteIds = ids(j, "byte_ids");
            for (int i = 0; i < before.length; i++) {
                assertEquals(4 + (before[i] & 0xFF), byteIds[i]);
            }
            assertEquals(1, byteIds[before.length]);
            assertEquals(TEXT.getBytes(StandardCharsets.UTF_8).length - "<|endoftext|>".length() + 1, byteIds.length);
            assertArrayEquals(viaDsl.byteIds(), Arrays.stream(ids(JsonParser.parseString(
                    CliTest.run("tokenize", bolmoDir.toString(), "--text", TEXT, "--add-special-tokens")[1]).getAsJsonObject(),
                    "byte_ids")).mapToInt(v -> (int) v).toArray());
            assertEquals(1, viaDsl.byteIds()[0]);
        }
    }

    @Test
    void badTokenizerFilesAreOneClearLine() throws IOException {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        JsonObject json = JsonParser.parseString(Files.readString(tinyTokenizer)).getAsJsonObject();
        json.add("normalizer", JsonParser.parseString("{\"type\": \"Foo\"}"));
        Files.writeString(bad.resolve("tokenizer.json"), json.toString());
        String[] r = CliTest.run("tokenize", bad.toString(), "--text", "x");
        assertEquals("1", r[0]);
        assertEquals("bolmo4j tokenize: " + bad.resolve("tokenizer.json") + ": normalizer.type 'Foo' is not supported"
                + " (supported: NFC, NFD, NFKC, NFKD, Lowercase, Strip, Replace, Prepend, BertNormalizer, Sequence)",
                r[2].strip());
        Files.writeString(bad.resolve("tokenizer.json"), "{\"model\": {\"vocab\": ");
        r = CliTest.run("tokenize", bad.toString(), "--text", "x");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("bolmo4j tokenize: " + bad.resolve("tokenizer.json") + ": malformed JSON"), r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
    }
}
