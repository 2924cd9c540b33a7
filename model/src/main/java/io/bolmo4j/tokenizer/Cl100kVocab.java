package io.bolmo4j.tokenizer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds Hugging Face tokenizer.json files from OpenAI's cl100k_base ranks (read from jtokkit's bundled
 * {@code cl100k_base.tiktoken}): either the whole vocabulary with OLMo 2 dolma2's special ids, or only its first
 * N ranks plus {@code <|endoftext|>} (id N) and {@code <|pad|>} (id N + 1), or other special tokens, a small
 * teacher vocabulary.
 * <p>
 * tiktoken stores ranks, not merges. The merge of the token of rank r is recovered by running BPE on its bytes with
 * the ranks below r until two parts remain. The file sets {@code ignore_merges} as tiktoken looks a whole pre-token
 * up in the vocabulary before merging.
 */
public final class Cl100kVocab {
    /** cl100k's pre-tokenizer pattern. */
    public static final String PATTERN = "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";
    /** Number of ordinary cl100k ranks (ids 0..100255). */
    public static final int RANKS = 100256;
    private static final String RESOURCE = "com/knuddels/jtokkit/cl100k_base.tiktoken";

    private final int rankCount;
    private final Map<String, Integer> specials;

    private Cl100kVocab(int rankCount, Map<String, Integer> specials) {
        this.rankCount = rankCount;
        this.specials = Collections.unmodifiableMap(specials);
    }

    /**
     * @param n number of ranks to keep, 256..{@value #RANKS} (the first 256 ranks are the single bytes)
     * @return the first {@code n} ranks with {@code <|endoftext|>} = n and {@code <|pad|>} = n + 1
     */
    public static Cl100kVocab firstRanks(int n) {
        return firstRanks(n, List.of(BpeTokenizer.END_OF_TEXT, BpeTokenizer.PAD));
    }

    /**
     * @param specials special tokens, given ids n, n + 1, ... in this order (e.g. Qwen's {@code <|endoftext|>},
     *                 {@code <|im_start|>}, {@code <|im_end|>})
     * @return the first {@code n} ranks with these special tokens
     */
    public static Cl100kVocab firstRanks(int n, List<String> specials) {
        if (n < 256 || n > RANKS) {
            throw new IllegalArgumentException("rank count must be in 256.." + RANKS + ", got " + n);
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (String s : specials) {
            ids.put(s, n + ids.size());
        }
        return new Cl100kVocab(n, ids);
    }

    /** @return all cl100k ranks with the dolma2 special ids (vocabulary size 100278, ids 100256 and 100261..100275 unused) */
    public static Cl100kVocab full() {
        Map<String, Integer> specials = new LinkedHashMap<>();
        specials.put(BpeTokenizer.END_OF_TEXT, 100257);
        specials.put("<|fim_prefix|>", 100258);
        specials.put("<|fim_middle|>", 100259);
        specials.put("<|fim_suffix|>", 100260);
        specials.put("<|endofprompt|>", 100276);
        specials.put(BpeTokenizer.PAD, 100277);
        return new Cl100kVocab(RANKS, specials);
    }

    /** @return the number of ordinary (BPE) tokens, ids 0..rankCount-1 */
    public int rankCount() {
        return rankCount;
    }

    /** @return special token content to id */
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    /**
     * The file around the vocabulary, merges, added tokens and pattern that {@link #toJson} fills in (Gson leaves the
     * nulls out when writing). The ByteLevel steps only map bytes: no regex, no prefix space; trim_offsets matters to
     * decoders only.
     */
    private static final String SKELETON = """
            {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "normalizer": null,
             "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
               {"type": "Split", "pattern": {"Regex": null}, "behavior": "Isolated", "invert": false},
               {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
             "post_processor": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
             "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false},
             "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
               "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": true,
               "vocab": {}, "merges": []}}
            """;
    /** One special token of {@code added_tokens}, its id and content filled in. */
    private static final String SPECIAL = """
            {"id": null, "content": null, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false,
             "special": true}
            """;

    /** @return the tokenizer.json text */
    public String toJson() {
        Ranks ranks = Ranks.INSTANCE;
        JsonObject root = JsonParser.parseString(SKELETON).getAsJsonObject();
        root.getAsJsonObject("pre_tokenizer").getAsJsonArray("pretokenizers").get(0).getAsJsonObject()
                .getAsJsonObject("pattern").addProperty("Regex", PATTERN);
        JsonObject vocab = root.getAsJsonObject("model").getAsJsonObject("vocab");
        JsonArray merges = root.getAsJsonObject("model").getAsJsonArray("merges");
        for (int r = 0; r < rankCount; r++) {
            vocab.addProperty(spell(ranks.bytes.get(r)), r);
            String[] merge = ranks.merges.get(r);
            if (merge != null) {
                merges.add(spell(merge[0]) + " " + spell(merge[1]));
            }
        }
        specials.forEach((content, id) -> {
            // Specials go in the model vocab too, or HF would renumber them past the holes in the id range.
            vocab.addProperty(content, id);
            JsonObject t = JsonParser.parseString(SPECIAL).getAsJsonObject();
            t.addProperty("id", id);
            t.addProperty("content", content);
            root.getAsJsonArray("added_tokens").add(t);
        });
        return new GsonBuilder().disableHtmlEscaping().create().toJson(root);
    }

    /**
     * Writes the tokenizer.json to {@code file}.
     *
     * @return {@code file}
     * @throws TokenizerException if it cannot be written
     */
    public Path write(Path file) {
        try {
            return Files.writeString(file, toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TokenizerException("cannot write " + file + ": " + e, e);
        }
    }

    /** @return a tokenizer for this vocabulary */
    public BpeTokenizer tokenizer() {
        return BpeTokenizer.fromJson(toJson());
    }

    /** Byte strings are held as ISO-8859-1 Strings (one char per byte): a lossless, hashable key. */
    private static String spell(String latin1) {
        return ByteLevelAlphabet.toUnicode(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** All cl100k ranks and their recovered merges, loaded once. */
    private static final class Ranks {
        static final Ranks INSTANCE = new Ranks();
        /** Token bytes (ISO-8859-1 strings) by rank. */
        final List<String> bytes = new ArrayList<>(RANKS);
        /** The two parts by rank; null for single bytes. */
        final List<String[]> merges = new ArrayList<>(RANKS);

        private Ranks() {
            Map<String, Integer> rankOf = new HashMap<>(2 * RANKS);
            try (InputStream in = Cl100kVocab.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new TokenizerException(RESOURCE + " is not on the class path (is jtokkit 1.1.0 there?)");
                }
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
                for (String line; (line = reader.readLine()) != null; ) {
                    int space = line.indexOf(' ');
                    String token = new String(Base64.getDecoder().decode(line.substring(0, space)),
                            StandardCharsets.ISO_8859_1);
                    int rank = Integer.parseInt(line.substring(space + 1).trim());
                    if (rank != bytes.size()) {
                        throw new TokenizerException(RESOURCE + ": rank " + rank + " out of order");
                    }
                    bytes.add(token);
                    rankOf.put(token, rank);
                }
            } catch (IOException e) {
                throw new TokenizerException("cannot read " + RESOURCE + ": " + e, e);
            }
            if (bytes.size() != RANKS) {
                throw new TokenizerException(RESOURCE + " has " + bytes.size() + " ranks, expected " + RANKS);
            }
            for (int r = 0; r < RANKS; r++) {
                merges.add(bytes.get(r).length() < 2 ? null : recoverMerge(bytes.get(r), r, rankOf));
            }
        }

        /** Byte-level BPE of {@code token} with ranks below {@code rank} only, stopped at two parts. */
        private static String[] recoverMerge(String token, int rank, Map<String, Integer> rankOf) {
            List<String> parts = new ArrayList<>(token.length());
            for (int i = 0; i < token.length(); i++) {
                parts.add(token.substring(i, i + 1));
            }
            while (parts.size() > 2) {
                int best = -1;
                int bestRank = rank;
                for (int i = 0; i + 1 < parts.size(); i++) {
                    Integer r = rankOf.get(parts.get(i) + parts.get(i + 1));
                    if (r != null && r < bestRank) {
                        bestRank = r;
                        best = i;
                    }
                }
                if (best < 0) {
                    throw new TokenizerException("cl100k rank " + rank + " cannot be built from lower ranks");
                }
                parts.set(best, parts.get(best) + parts.remove(best + 1));
            }
            return new String[] {parts.get(0), parts.get(1)};
        }
    }
}
