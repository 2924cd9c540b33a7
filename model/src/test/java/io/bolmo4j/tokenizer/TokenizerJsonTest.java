package io.bolmo4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tokenizer.json variants: alternative but valid forms load correctly; everything else fails with a clear message. */
class TokenizerJsonTest {

    /** A minimal valid file: tokens a, b, ab and one merge. */
    private static JsonObject tiny() {
        return JsonParser.parseString("""
                {"added_tokens": [{"id": 3, "content": "<|endoftext|>", "single_word": false, "lstrip": false,
                                   "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false,
                                   "use_regex": true},
                 "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": true},
                 "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}
                """).getAsJsonObject();
    }

    private static String tinyWith(Consumer<JsonObject> edit) {
        JsonObject o = tiny();
        edit.accept(o);
        return o.toString();
    }

    private static void assertRejected(String json, String expectedInMessage) {
        TokenizerException e = assertThrows(TokenizerException.class, () -> BpeTokenizer.fromJson(json));
        assertTrue(e.getMessage().contains(expectedInMessage), () -> "message: " + e.getMessage());
    }

    @Test
    void tinyTokenizerWorks() {
        BpeTokenizer tok = BpeTokenizer.fromJson(tiny().toString());
        // Leftmost first: ab.a.a.b -> ab.a.ab
        assertArrayEquals(new int[] {2, 0, 2}, tok.encodeIds("abaab"));
        assertEquals(3, tok.eosId());
        assertTrue(tok.padId().isEmpty());
        assertEquals(4, tok.vocabSize());
        assertArrayEquals(new int[] {2, 3}, tok.encodeIds("ab<|endoftext|>", true));
    }

    /** With ignore_merges a pre-token that is itself a token maps to it even when no merge path builds it. */
    @Test
    void ignoreMergesLikeHuggingFace() throws IOException {
        for (boolean ignore : new boolean[] {false, true}) {
            String json = tinyWith(o -> {
                o.getAsJsonObject("model").getAsJsonObject("vocab").addProperty("abb", 4);
                o.remove("added_tokens"); // HF would renumber <|endoftext|> to 4 = abb
                o.getAsJsonObject("model").addProperty("ignore_merges", ignore);
            });
            int[] expected = ignore ? new int[] {4} : new int[] {2, 1};
            assertArrayEquals(expected, BpeTokenizer.fromJson(json).encodeIds("abb"));
            Path file = Files.writeString(Fixtures.dir().resolve("tiny-" + ignore + ".json"), json);
            file.toFile().deleteOnExit();
            try (HuggingFaceTokenizer hf = Fixtures.huggingFace(file)) {
                assertArrayEquals(Arrays.stream(expected).asLongStream().toArray(),
                        hf.encode("abb", false, false).getIds());
            }
        }
    }

    /** Each bad file fails with one line naming the file and the JSON path of the problem. */
    @Test
    void malformedFilesNameTheProblem() {
        assertRejected("{\"model\": ", "tokenizer.json: malformed JSON");
        assertRejected("[1, 2]", "tokenizer.json: is not a tokenizer.json: the top level is not a JSON object");
        assertRejected("{}", "tokenizer.json: model is missing");
        assertRejected(tinyWith(o -> o.addProperty("version", "2.0")), "tokenizer.json: version '2.0' is not supported");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").addProperty("type", "WordPiece")),
                "tokenizer.json: model.type 'WordPiece' is not supported (supported: BPE)");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").add("vocab", new JsonArray())),
                "tokenizer.json: model.vocab must be a JSON object, got []");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").remove("merges")), "tokenizer.json: model.merges is missing");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").getAsJsonObject("vocab").addProperty("c", "x")),
                "tokenizer.json: model.vocab.c must be a number, got \"x\"");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").getAsJsonObject("vocab").addProperty("c", -4)),
                "tokenizer.json: model.vocab.c must be a non-negative integer, got -4");
        assertRejected(tinyWith(o -> {
            o.remove("added_tokens");
            o.getAsJsonObject("model").getAsJsonObject("vocab").addProperty("c", 1);
        }), "tokenizer.json: id 1 is given to both");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").getAsJsonArray("merges").add("a c")),
                "tokenizer.json: model.merges[1] 'a c': 'c' is not in the vocab");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").getAsJsonArray("merges").add("abc")),
                "tokenizer.json: model.merges[1] must be \"left right\" or [\"left\", \"right\"], got \"abc\"");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").addProperty("byte_fallback", "yes")),
                "tokenizer.json: model.byte_fallback must be true or false, got \"yes\"");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").addProperty("dropout", 0.1)),
                "tokenizer.json: model.dropout 0.1 is not supported: BPE dropout is random");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").addProperty("unk_token", "<unk>")),
                "tokenizer.json: model.unk_token '<unk>' is not in the vocab");
        assertRejected(tinyWith(o -> o.add("normalizer", JsonParser.parseString("{\"type\": \"Foo\"}"))),
                "tokenizer.json: normalizer.type 'Foo' is not supported (supported: NFC, NFD");
        assertRejected(tinyWith(o -> o.add("normalizer", JsonParser.parseString(
                "{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}, {\"type\": \"Precompiled\"}]}"))),
                "tokenizer.json: normalizer.normalizers[1].type 'Precompiled' is not supported");
        assertRejected(tinyWith(o -> o.add("normalizer", JsonParser.parseString("{\"type\": 7}"))),
                "tokenizer.json: normalizer.type must be a string, got 7");
        assertRejected(tinyWith(o -> o.add("pre_tokenizer", JsonParser.parseString(
                "{\"type\": \"UnicodeScripts\"}"))), "tokenizer.json: pre_tokenizer.type 'UnicodeScripts' is not supported");
        assertRejected(tinyWith(o -> o.add("pre_tokenizer", JsonParser.parseString("{\"type\": \"Sequence\", "
                + "\"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"a\"}, \"behavior\": \"Dropped\"},"
                + "{\"type\": \"ByteLevel\", \"use_regex\": false}]}"))),
                "tokenizer.json: pre_tokenizer.pretokenizers[0].behavior 'Dropped' is not a split behavior");
        assertRejected(tinyWith(o -> o.add("pre_tokenizer", JsonParser.parseString("{\"type\": \"Sequence\", "
                + "\"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(a\"}, \"behavior\": \"Isolated\"},"
                + "{\"type\": \"ByteLevel\", \"use_regex\": false}]}"))),
                "tokenizer.json: pre_tokenizer.pretokenizers[0].pattern.Regex does not compile in Java");
        assertRejected(tinyWith(o -> o.add("pre_tokenizer", JsonParser.parseString("{\"type\": \"Sequence\", "
                + "\"pretokenizers\": [{\"type\": \"ByteLevel\"}, {\"type\": \"Digits\"}]}"))),
                "tokenizer.json: pre_tokenizer.pretokenizers[1] comes after a ByteLevel pre-tokenizer");
        assertRejected(tinyWith(o -> o.add("decoder", JsonParser.parseString("{\"type\": \"WordPiece\"}"))),
                "tokenizer.json: decoder.type 'WordPiece' is not supported");
        assertRejected(tinyWith(o -> o.add("post_processor", JsonParser.parseString("{\"type\": \"TemplateProcessing\","
                + "\"single\": [{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}}], \"special_tokens\": {}}"))),
                "tokenizer.json: post_processor.single[0] names special token '<s>', which special_tokens does not define");
        assertRejected(tinyWith(o -> o.getAsJsonArray("added_tokens").get(0).getAsJsonObject().addProperty("content", "")),
                "tokenizer.json: added_tokens[0].content is empty");
        assertRejected(tinyWith(o -> o.getAsJsonArray("added_tokens").get(0).getAsJsonObject().addProperty("id", 2)),
                "id 2 is given to both 'ab' and '<|endoftext|>'");
        assertRejected(tinyWith(o -> o.getAsJsonArray("added_tokens").get(0).getAsJsonObject().addProperty("id", 9)),
                "tokenizer.json: added_tokens[0] '<|endoftext|>' has id 9, but Hugging Face would give it id 3");
        assertRejected(tinyWith(o -> o.getAsJsonObject("model").getAsJsonObject("vocab").addProperty("<|endoftext|>", 4)),
                "has id 3 but the vocab gives it id 4");
    }

    @Test
    void loadReportsUnreadableFiles() {
        TokenizerException e = assertThrows(TokenizerException.class,
                () -> BpeTokenizer.load(Fixtures.dir().resolve("missing.json")));
        assertTrue(e.getMessage().contains("cannot read"));
    }

    @Test
    void invalidIdsAreClearErrors() {
        BpeTokenizer tok = BpeTokenizer.fromJson(tiny().toString());
        assertThrows(TokenizerException.class, () -> tok.decode(new int[] {0, 4}));
        assertThrows(TokenizerException.class, () -> tok.decode(new int[] {-1}));
        assertThrows(TokenizerException.class, () -> tok.tokenBytes(99));
        TokenizerException e = assertThrows(TokenizerException.class, () -> BpeTokenizer.fromJson(
                tinyWith(o -> o.add("added_tokens", new JsonArray()))).eosId());
        assertTrue(e.getMessage().contains("<|endoftext|>"));
    }

    @Test
    void mergesAsArraysReadLikeStrings() throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(Fixtures.smallJson())).getAsJsonObject();
        JsonArray arrays = new JsonArray();
        for (var m : o.getAsJsonObject("model").getAsJsonArray("merges")) {
            String[] parts = m.getAsString().split(" ");
            JsonArray pair = new JsonArray();
            pair.add(new JsonPrimitive(parts[0]));
            pair.add(new JsonPrimitive(parts[1]));
            arrays.add(pair);
        }
        o.getAsJsonObject("model").add("merges", arrays);
        BpeTokenizer tok = BpeTokenizer.fromJson(o.toString());
        String prose = Fixtures.prose();
        assertArrayEquals(Fixtures.small().encodeIds(prose), tok.encodeIds(prose));
    }

    /**
     * Chained Splits see each earlier piece as a string of its own, and {@code .}, {@code ^}, {@code $} follow
     * Oniguruma (only {@code \n} ends a line): a regex chain whose pieces show through the cl100k merges.
     */
    @Test
    void chainedSplitsAndLineAnchorsMatchHuggingFace() throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(Fixtures.smallJson())).getAsJsonObject();
        o.add("pre_tokenizer", JsonParser.parseString("""
                {"type": "Sequence", "pretokenizers": [
                  {"type": "Split", "pattern": {"Regex": "\\\\S+|\\\\s+"}, "behavior": "Isolated", "invert": false},
                  {"type": "Split", "pattern": {"Regex": "^.|.$"}, "behavior": "Isolated", "invert": false},
                  {"type": "Split", "pattern": {"String": "ll"}, "behavior": "Isolated", "invert": false},
                  {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]}
                """));
        Path file = Files.writeString(Fixtures.dir().resolve("chained.json"), o.toString());
        file.toFile().deleteOnExit();
        BpeTokenizer tok = BpeTokenizer.load(file);
        List<String> texts = new ArrayList<>(Fixtures.CASES);
        texts.add("hello world\r\n  x\u2028y\u0085z\r\rtail\n\u2029 all.\r\n\r\n");
        texts.add(Fixtures.prose());
        try (HuggingFaceTokenizer hf = Fixtures.huggingFace(file)) {
            for (String text : texts) {
                if (!text.contains("<|")) {
                    Reference.assertAgreesWithHuggingFace(hf, text, tok.encode(text));
                }
            }
        }
        // "hello" -> h | e | ll | o: the first and last chars of a piece are isolated, then "ll".
        assertEquals(4, tok.encodeIds("hello").length);
    }

    /** A plain ByteLevel pre-tokenizer with use_regex=true is GPT-2's: compared with Hugging Face on all cases. */
    @Test
    void gpt2StylePreTokenizerMatchesHuggingFace() throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(Fixtures.smallJson())).getAsJsonObject();
        o.add("pre_tokenizer", JsonParser.parseString(
                "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}"));
        Path file = Files.writeString(Fixtures.dir().resolve("gpt2-style.json"), o.toString());
        file.toFile().deleteOnExit();
        BpeTokenizer tok = BpeTokenizer.load(file);
        try (HuggingFaceTokenizer hf = Fixtures.huggingFace(file)) {
            for (String text : Fixtures.CASES) {
                if (!text.contains("<|")) {
                    Reference.assertAgreesWithHuggingFace(hf, text, tok.encode(text));
                }
            }
            Reference.assertAgreesWithHuggingFace(hf, Fixtures.prose(), tok.encode(Fixtures.prose()));
        }
    }
}
