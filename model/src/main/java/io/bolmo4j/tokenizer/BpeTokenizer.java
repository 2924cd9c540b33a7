package io.bolmo4j.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Byte-level BPE tokenizer read from a Hugging Face {@code tokenizer.json} (GPT-2, cl100k / OLMo 2 dolma2 style):
 * added tokens are split out first, the rest is pre-tokenized by the file's regexes, and each pre-token's UTF-8
 * bytes are merged by rank. Results match the Hugging Face tokenizers library with {@code add_special_tokens=false}
 * (post-processors are not applied, and offsets are never trimmed). Thread-safe.
 */
public final class BpeTokenizer {
    /** The end-of-text token of GPT-2 and cl100k vocabularies. */
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** dolma2's padding token. */
    public static final String PAD = "<|pad|>";

    /** Pre-tokens longer than this (in chars) are not cached: rare, and they would bloat the cache. */
    private static final int CACHE_MAX_CHARS = 64;
    private static final int CACHE_MAX_ENTRIES = 1 << 17;

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> added = new HashMap<>();
    private final Map<String, Integer> specials = new LinkedHashMap<>();
    private final String[] idToString;
    private final byte[][] idToBytes;
    private final boolean[] isSpecial;
    private final BytePairEncoder bpe;
    private final boolean ignoreMerges;
    private final PreTokenizer preTokenizer;
    /** Matches added tokens to split out: all of them, or only the non-special ones. */
    private final Pattern addedAll;
    private final Pattern addedNonSpecial;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    private BpeTokenizer(TokenizerJson json) {
        vocab = json.vocab;
        ignoreMerges = json.ignoreMerges;
        preTokenizer = PreTokenizer.of(json.preTokenizerRegexes);
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        for (TokenizerJson.AddedToken t : json.addedTokens) {
            size = Math.max(size, t.id() + 1);
        }
        idToString = new String[size];
        idToBytes = new byte[size][];
        isSpecial = new boolean[size];
        for (TokenizerJson.AddedToken t : json.addedTokens) {
            Integer inVocab = vocab.get(t.content());
            if (inVocab != null && inVocab != t.id()) {
                throw new TokenizerException("added token '" + t.content() + "' has id " + t.id()
                        + " but the vocab gives it id " + inVocab);
            }
            define(t.id(), t.content(), t.content().getBytes(StandardCharsets.UTF_8));
            added.put(t.content(), t.id());
            isSpecial[t.id()] = t.special();
            if (t.special()) {
                specials.put(t.content(), t.id());
            }
        }
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (!added.containsKey(e.getKey())) {
                define(e.getValue(), e.getKey(), ByteLevelAlphabet.toBytes(e.getKey()));
            }
        }
        int[] byteToId = new int[256];
        for (int b = 0; b < 256; b++) {
            byteToId[b] = vocab.getOrDefault(String.valueOf(ByteLevelAlphabet.charOf(b)), -1);
        }
        bpe = new BytePairEncoder(byteToId, mergeTable(json.merges));
        addedAll = alternation(added.keySet().stream().toList());
        addedNonSpecial = alternation(added.keySet().stream().filter(s -> !specials.containsKey(s)).toList());
    }

    /**
     * Loads a tokenizer.json file.
     *
     * @throws TokenizerException if the file cannot be read, is malformed, or uses unsupported features
     */
    public static BpeTokenizer load(Path tokenizerJson) {
        try {
            return fromJson(Files.readString(tokenizerJson, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + tokenizerJson + ": " + e, e);
        }
    }

    /**
     * Parses the content of a tokenizer.json file.
     *
     * @throws TokenizerException if it is malformed or uses unsupported features
     */
    public static BpeTokenizer fromJson(String json) {
        return new BpeTokenizer(TokenizerJson.parse(json));
    }

    private void define(int id, String spelling, byte[] bytes) {
        if (idToString[id] != null && !idToString[id].equals(spelling)) {
            throw new TokenizerException("id " + id + " is given to both '" + idToString[id] + "' and '" + spelling + "'");
        }
        idToString[id] = spelling;
        idToBytes[id] = bytes;
    }

    private MergeTable mergeTable(List<String[]> merges) {
        MergeTable table = new MergeTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer left = vocab.get(m[0]);
            Integer right = vocab.get(m[1]);
            Integer merged = vocab.get(m[0] + m[1]);
            if (left == null || right == null || merged == null) {
                throw new TokenizerException("merge #" + rank + " '" + m[0] + " " + m[1] + "' uses or makes a token"
                        + " that is not in the vocab");
            }
            table.put(left, right, rank, merged);
        }
        return table;
    }

    /** Longest tokens first, so that the leftmost match is also the longest, as in Hugging Face. */
    private static Pattern alternation(List<String> tokens) {
        if (tokens.isEmpty()) {
            return null;
        }
        return Pattern.compile(tokens.stream().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).collect(Collectors.joining("|")));
    }

    /** Encodes ordinary text: literal special-token strings are encoded as text. Same as {@code encode(text, false)}. */
    public Encoding encode(String text) {
        return encode(text, false);
    }

    /**
     * Encodes text with byte offsets, which index into {@code text.getBytes(UTF_8)} (an unpaired surrogate is one
     * {@code '?'} byte there, and is encoded as such).
     *
     * @param allowSpecial whether literal special-token strings become their ids (as Hugging Face does by default);
     *                     non-special added tokens are always split out
     */
    public Encoding encode(String text, boolean allowSpecial) {
        int guess = text.length() / 3 + 4;
        IntList ids = new IntList(guess);
        IntList starts = new IntList(guess);
        IntList ends = new IntList(guess);
        encodeInto(text, allowSpecial, ids, starts, ends);
        return new Encoding(ids.toArray(), starts.toArray(), ends.toArray());
    }

    /** @return the ids of ordinary text (special-token strings encoded as text), without offsets */
    public int[] encodeIds(String text) {
        return encodeIds(text, false);
    }

    /** @return the ids of {@code text}; see {@link #encode(String, boolean)} */
    public int[] encodeIds(String text, boolean allowSpecial) {
        IntList ids = new IntList(text.length() / 3 + 4);
        encodeInto(text, allowSpecial, ids, null, null);
        return ids.toArray();
    }

    private void encodeInto(String text, boolean allowSpecial, IntList ids, IntList starts, IntList ends) {
        Pattern split = allowSpecial ? addedAll : addedNonSpecial;
        int pos = 0;
        int bytePos = 0;
        if (split != null) {
            Matcher m = split.matcher(text);
            while (m.find()) {
                bytePos = encodeOrdinary(text, pos, m.start(), bytePos, ids, starts, ends);
                int id = added.get(m.group());
                bytePos = emit(id, bytePos, ids, starts, ends);
                pos = m.end();
            }
        }
        encodeOrdinary(text, pos, text.length(), bytePos, ids, starts, ends);
    }

    private int encodeOrdinary(String text, int from, int to, int bytePos, IntList ids, IntList starts, IntList ends) {
        IntList pieceEnds = new IntList((to - from) / 4 + 1);
        preTokenizer.split(text, from, to, pieceEnds);
        int start = from;
        for (int i = 0; i < pieceEnds.size(); i++) {
            int end = pieceEnds.get(i);
            for (int id : piece(text, start, end)) {
                bytePos = emit(id, bytePos, ids, starts, ends);
            }
            start = end;
        }
        return bytePos;
    }

    private int emit(int id, int bytePos, IntList ids, IntList starts, IntList ends) {
        ids.add(id);
        int next = bytePos + idToBytes[id].length;
        if (starts != null) {
            starts.add(bytePos);
            ends.add(next);
        }
        return next;
    }

    /** BPE of one pre-token, through the cache. The returned array is shared: never modify it. */
    private int[] piece(String text, int from, int to) {
        boolean cacheable = to - from <= CACHE_MAX_CHARS;
        String key = null;
        if (cacheable) {
            key = text.substring(from, to);
            int[] hit = cache.get(key);
            if (hit != null) {
                return hit;
            }
        }
        byte[] bytes = new byte[Utf8.length(text, from, to)];
        Utf8.encode(text, from, to, bytes);
        int[] ids = null;
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevelAlphabet.toUnicode(bytes));
            if (whole != null) {
                ids = new int[] {whole};
            }
        }
        if (ids == null) {
            ids = bpe.encode(bytes, bytes.length);
        }
        if (cacheable) {
            if (cache.size() >= CACHE_MAX_ENTRIES) {
                cache.clear(); // crude but O(1) amortized; a corpus re-warms it within a few KB of text
            }
            cache.put(key, ids);
        }
        return ids;
    }

    /** Decodes ids to text, writing special tokens out; invalid UTF-8 becomes U+FFFD. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * Decodes ids to text; invalid UTF-8 (e.g. a cut multi-byte character) becomes U+FFFD.
     *
     * @param skipSpecial whether special tokens are left out
     * @throws TokenizerException for an id outside the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecial) {
        int n = 0;
        for (int id : ids) {
            if (!(skipSpecial && isSpecial(id))) {
                n += bytes(id).length;
            }
        }
        byte[] out = new byte[n];
        int pos = 0;
        for (int id : ids) {
            if (!(skipSpecial && isSpecial(id))) {
                byte[] b = bytes(id);
                System.arraycopy(b, 0, out, pos, b.length);
                pos += b.length;
            }
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private byte[] bytes(int id) {
        if (!isValidId(id)) {
            throw new TokenizerException("token id " + id + " is not in the vocabulary (size " + vocabSize() + ")");
        }
        return idToBytes[id];
    }

    /** @return whether {@code id} names a token (cl100k-style vocabularies leave some ids unused) */
    public boolean isValidId(int id) {
        return id >= 0 && id < idToBytes.length && idToBytes[id] != null;
    }

    /**
     * @return the raw bytes of a token (a special token's are its UTF-8 text)
     * @throws TokenizerException for an id outside the vocabulary
     */
    public byte[] tokenBytes(int id) {
        return bytes(id).clone();
    }

    /**
     * @return the token's string as in tokenizer.json: the byte-level spelling, or an added token's content
     * @throws TokenizerException for an id outside the vocabulary
     */
    public String tokenString(int id) {
        bytes(id);
        return idToString[id];
    }

    /** @return the id of a token string as in tokenizer.json (byte-level spelling or added-token content) */
    public OptionalInt tokenId(String tokenString) {
        Integer id = vocab.get(tokenString);
        if (id == null) {
            id = added.get(tokenString);
        }
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** @return whether {@code id} is a special added token */
    public boolean isSpecial(int id) {
        bytes(id);
        return isSpecial[id];
    }

    /** @return one more than the largest id; ids in between may be unused (cl100k has holes) */
    public int vocabSize() {
        return idToBytes.length;
    }

    /** @return special token content to id, in file order (unmodifiable) */
    public Map<String, Integer> specialTokens() {
        return Collections.unmodifiableMap(specials);
    }

    /**
     * @return the id of {@code <|endoftext|>}
     * @throws TokenizerException if the vocabulary has none
     */
    public int eosId() {
        return tokenId(END_OF_TEXT).orElseThrow(() -> new TokenizerException("the vocabulary has no " + END_OF_TEXT));
    }

    /** @return the id of {@code <|pad|>}, if any */
    public OptionalInt padId() {
        return tokenId(PAD);
    }
}
