package io.bolmo4j.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * tokenizer.json files that exercise every supported feature, built on real vocabularies: the first cl100k ranks,
 * either byte-level as they are, or turned into a SentencePiece-style character vocabulary ({@code ▁} for space,
 * {@code <0xNN>} byte-fallback tokens), optionally with {@code ##} continuing-subword and {@code </w>} end-of-word
 * variants of every token. Each feature file is checked against Hugging Face's Rust library.
 */
final class FeatureTokenizers {
    private static final int RANKS = 3000;

    private FeatureTokenizers() {
    }

    /** All feature files by name. */
    static Map<String, String> all() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("neox-style", neoxStyle());
        files.put("split-behaviours", splitBehaviours());
        files.put("llama-style", llamaStyle());
        files.put("metaspace", metaspace());
        files.put("subword-affixes", subwordAffixes());
        files.put("bert-style", bertStyle());
        return files;
    }

    private static JsonElement json(String s) {
        return JsonParser.parseString(s);
    }

    private static JsonObject byteLevelBase() {
        return JsonParser.parseString(Cl100kVocab.firstRanks(RANKS).toJson()).getAsJsonObject();
    }

    /**
     * Byte-level vocabulary with NFC, GPT-2's ByteLevel regex, a ByteLevel post-processor trimming offsets, and added
     * tokens with every flag (special, lstrip, rstrip, single_word, normalized).
     */
    static String neoxStyle() {
        JsonObject o = byteLevelBase();
        JsonObject vocab = o.getAsJsonObject("model").getAsJsonObject("vocab");
        int[] next = {vocab.size()};
        JsonArray added = o.getAsJsonArray("added_tokens");
        Function<String, Integer> id = content ->
                vocab.has(content) ? vocab.get(content).getAsInt() : next[0]++;
        added.add(added("<mask>", id.apply("<mask>"), true, false, true, false, false));
        added.add(added("[SEP]", id.apply("[SEP]"), false, false, false, true, false));
        added.add(added("cat", id.apply("cat"), false, true, false, false, false));
        // Written decomposed: matched after NFC, so also where the text has it precomposed.
        added.add(added("A\u030Angstro\u0308m", id.apply("A\u030Angstro\u0308m"), false, false, false, false, true));
        added.add(added("ﬁx", id.apply("ﬁx"), false, false, false, false, true));
        o.add("normalizer", json("{\"type\": \"NFC\"}"));
        o.add("pre_tokenizer", json("{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true,"
                + " \"use_regex\": true}"));
        o.add("post_processor", json("{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true,"
                + " \"use_regex\": true}"));
        return o.toString();
    }

    /**
     * Byte-level vocabulary behind every Split behaviour (with and without invert, regex and literal), NFD with a
     * regex Replace, ByteLevel with a prefix space, merges as pairs, ignore_merges, and a post-processor sequence of
     * ByteLevel offset trimming and a BOS/EOS template.
     */
    static String splitBehaviours() {
        JsonObject o = byteLevelBase();
        JsonObject model = o.getAsJsonObject("model");
        JsonArray pairs = new JsonArray();
        for (JsonElement m : model.getAsJsonArray("merges")) {
            String[] p = m.getAsString().split(" ");
            JsonArray pair = new JsonArray();
            pair.add(p[0]);
            pair.add(p[1]);
            pairs.add(pair);
        }
        model.add("merges", pairs);
        model.addProperty("ignore_merges", true);
        o.add("normalizer", json("""
                {"type": "Sequence", "normalizers": [{"type": "NFD"},
                  {"type": "Replace", "pattern": {"Regex": "\\\\d{4,}"}, "content": "####"},
                  {"type": "Replace", "pattern": {"String": "\\t"}, "content": "    "}]}"""));
        o.add("pre_tokenizer", json("""
                {"type": "Sequence", "pretokenizers": [
                  {"type": "Split", "pattern": {"Regex": "\\\\p{L}+|\\\\p{N}+|\\\\s+|[^\\\\p{L}\\\\p{N}\\\\s]+"},
                   "behavior": "Removed", "invert": true},
                  {"type": "Split", "pattern": {"Regex": "[.,!?]"}, "behavior": "MergedWithPrevious", "invert": false},
                  {"type": "Split", "pattern": {"String": "'"}, "behavior": "MergedWithNext", "invert": false},
                  {"type": "Split", "pattern": {"Regex": "\\\\p{Lu}"}, "behavior": "Contiguous", "invert": false},
                  {"type": "Split", "pattern": {"Regex": "\\\\s"}, "behavior": "Isolated", "invert": true},
                  {"type": "Split", "pattern": {"String": "xx"}, "behavior": "Removed", "invert": false},
                  {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": false}]}"""));
        o.add("post_processor", json("""
                {"type": "Sequence", "processors": [
                  {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
                  {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<|pad|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                              {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
                   "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                   "special_tokens": {
                     "<|endoftext|>": {"id": "<|endoftext|>", "ids": [%d], "tokens": ["<|endoftext|>"]},
                     "<|pad|>": {"id": "<|pad|>", "ids": [%d], "tokens": ["<|pad|>"]}}}]}"""
                .formatted(RANKS, RANKS + 1)));
        return o.toString();
    }

    /**
     * Llama 2 style: a character vocabulary with byte fallback and fused unknowns, no pre-tokenizer, normalizer
     * Prepend + Replace, a BOS template and the decoder chain Replace, ByteFallback, Fuse, Strip.
     */
    static String llamaStyle() {
        JsonObject o = charLevel(false, false);
        JsonObject model = o.getAsJsonObject("model");
        model.addProperty("byte_fallback", true);
        model.addProperty("fuse_unk", true);
        o.add("normalizer", json("""
                {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
                  {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}"""));
        o.add("post_processor", json("""
                {"type": "TemplateProcessing",
                 "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}"""));
        o.add("decoder", json("""
                {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                  {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}"""));
        return o.toString();
    }

    /** A character vocabulary behind the Metaspace pre-tokenizer (prepend "first") and decoder, with byte fallback. */
    static String metaspace() {
        JsonObject o = charLevel(false, false);
        o.getAsJsonObject("model").addProperty("byte_fallback", true);
        o.add("normalizer", json("{\"type\": \"NFKC\"}"));
        o.add("pre_tokenizer", json("""
                {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true},
                  {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}]}"""));
        o.add("decoder", json("""
                {"type": "Sequence", "decoders": [{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first",
                  "split": true}, {"type": "ByteFallback"}]}"""));
        return o.toString();
    }

    /**
     * {@code ##} continuing-subword and {@code </w>} end-of-word variants, unknowns not fused, Whitespace + Digits
     * (grouped) + Punctuation, NFKD + Lowercase + Strip, no decoder (HF joins tokens with spaces).
     */
    static String subwordAffixes() {
        JsonObject o = charLevel(true, true);
        JsonObject model = o.getAsJsonObject("model");
        model.addProperty("continuing_subword_prefix", "##");
        model.addProperty("end_of_word_suffix", "</w>");
        o.add("normalizer", json("""
                {"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "Lowercase"},
                  {"type": "Strip", "strip_left": true, "strip_right": true}]}"""));
        o.add("pre_tokenizer", json("""
                {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"},
                  {"type": "Digits", "individual_digits": false}, {"type": "Punctuation", "behavior": "Isolated"}]}"""));
        o.add("decoder", null);
        return o.toString();
    }

    /** BertNormalizer, BertPreTokenizer, {@code ##} prefixes and RobertaProcessing (offset trimming, CLS/SEP). */
    static String bertStyle() {
        JsonObject o = charLevel(true, false);
        o.getAsJsonObject("model").addProperty("continuing_subword_prefix", "##");
        o.add("normalizer", json("""
                {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null,
                 "lowercase": true}"""));
        o.add("pre_tokenizer", json("{\"type\": \"BertPreTokenizer\"}"));
        o.add("post_processor", json("""
                {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 1], "trim_offsets": true,
                 "add_prefix_space": false}"""));
        o.add("decoder", null);
        return o.toString();
    }

    private static JsonObject added(String content, int id, boolean special, boolean singleWord, boolean lstrip,
                                    boolean rstrip, boolean normalized) {
        JsonObject t = new JsonObject();
        t.addProperty("id", id);
        t.addProperty("content", content);
        t.addProperty("single_word", singleWord);
        t.addProperty("lstrip", lstrip);
        t.addProperty("rstrip", rstrip);
        t.addProperty("normalized", normalized);
        t.addProperty("special", special);
        return t;
    }

    /**
     * The first cl100k ranks as a character vocabulary: every token that is whole UTF-8, space spelled {@code ▁};
     * ids 0..2 are {@code <unk>}, {@code <s>}, {@code </s>}, then the 256 {@code <0xNN>} tokens.
     *
     * @param prefixed with {@code ##} variants of every token (and merges for them)
     * @param suffixed with {@code </w>} variants of every token (and merges for them)
     */
    private static JsonObject charLevel(boolean prefixed, boolean suffixed) {
        JsonObject base = byteLevelBase().getAsJsonObject("model");
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put("<unk>", 0);
        vocab.put("<s>", 1);
        vocab.put("</s>", 2);
        for (int b = 0; b < 256; b++) {
            vocab.put(BpeModel.byteFallbackToken(b), vocab.size());
        }
        String[] prefixes = prefixed ? new String[] {"", "##"} : new String[] {""};
        String[] suffixes = suffixed ? new String[] {"", "</w>"} : new String[] {""};
        for (String token : base.getAsJsonObject("vocab").keySet()) {
            String text = text(token);
            if (text != null) {
                for (String p : prefixes) {
                    for (String s : suffixes) {
                        vocab.putIfAbsent(p + text + s, vocab.size());
                    }
                }
            }
        }
        JsonArray merges = new JsonArray();
        for (JsonElement m : base.getAsJsonArray("merges")) {
            String[] parts = m.getAsString().split(" ");
            String a = text(parts[0]);
            String b = text(parts[1]);
            if (a == null || b == null || !vocab.containsKey(a + b)) {
                continue;
            }
            for (String p : prefixes) {
                for (String s : suffixes) {
                    // Left keeps the word's prefix, right always continues it; the suffix ends the right part.
                    merges.add(p + a + " " + (prefixed ? "##" : "") + b + s);
                }
            }
        }
        JsonObject vocabJson = new JsonObject();
        vocab.forEach(vocabJson::addProperty);
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.addProperty("unk_token", "<unk>");
        model.add("vocab", vocabJson);
        model.add("merges", merges);
        JsonObject o = new JsonObject();
        o.addProperty("version", "1.0");
        JsonArray added = new JsonArray();
        added.add(added("<unk>", 0, true, false, false, false, false));
        added.add(added("<s>", 1, true, false, false, false, false));
        added.add(added("</s>", 2, true, false, false, false, false));
        o.add("added_tokens", added);
        o.add("model", model);
        return o;
    }

    /** A byte-level spelling as text with {@code ▁} for space, or null if its bytes are not whole UTF-8. */
    private static String text(String byteLevelSpelling) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(ByteLevelAlphabet.toBytes(byteLevelSpelling))).toString();
            return s.replace(' ', '▁');
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
