package io.bolmo4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hugging Face's {@code BPE} model: a piece's initial symbols (its bytes for a byte-level vocabulary, else its
 * characters, with {@code continuing_subword_prefix} / {@code end_of_word_suffix} attached) are looked up, unknown
 * ones go to {@code <0xNN>} byte tokens ({@code byte_fallback}) or {@code unk_token} (optionally fused), and then
 * merged by rank. Results are cached per piece. Thread-safe.
 */
final class BpeModel {
    /** The tokens of one piece: ids, and where each ends, in the piece's UTF-8 bytes. */
    record Word(int[] ids, int[] ends) {
    }

    /** The model's options, named as in tokenizer.json. */
    record Options(String unkToken, boolean fuseUnk, boolean byteFallback, String continuingSubwordPrefix,
                   String endOfWordSuffix, boolean ignoreMerges) {
    }

    /** Pieces longer than this (in chars) are not cached: rare, and they would bloat the cache. */
    private static final int CACHE_MAX_CHARS = 64;
    private static final int CACHE_MAX_ENTRIES = 1 << 17;

    private final Map<String, Integer> vocab;
    private final boolean byteLevel;
    private final Options options;
    private final BytePairEncoder bpe;
    /** Byte-level without prefix/suffix: the id of each byte's token, -1 if the vocabulary lacks it. */
    private final int[] byteToId = new int[256];
    /** The {@code <0xNN>} token ids, -1 where absent. */
    private final int[] byteFallbackIds = new int[256];
    private final int unkId;
    private final ConcurrentHashMap<String, Word> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab     token string to id (not copied)
     * @param byteLevel whether pieces are seen through the byte-level alphabet (a {@code ByteLevel} pre-tokenizer)
     */
    BpeModel(Map<String, Integer> vocab, MergeTable merges, boolean byteLevel, Options options) {
        this.vocab = vocab;
        this.byteLevel = byteLevel;
        this.options = options;
        this.bpe = new BytePairEncoder(merges);
        for (int b = 0; b < 256; b++) {
            byteToId[b] = vocab.getOrDefault(String.valueOf(ByteLevelAlphabet.charOf(b)), -1);
            byteFallbackIds[b] = vocab.getOrDefault(byteFallbackToken(b), -1);
        }
        unkId = options.unkToken() == null ? -1 : vocab.get(options.unkToken());
    }

    /** @return the byte-fallback token of byte {@code b}, e.g. {@code <0x0A>} */
    static String byteFallbackToken(int b) {
        return String.format("<0x%02X>", b & 0xFF);
    }

    /** @return the tokens of {@code piece}; the arrays are shared, never modify them */
    Word tokenize(String piece) {
        boolean cacheable = piece.length() <= CACHE_MAX_CHARS;
        if (cacheable) {
            Word hit = cache.get(piece);
            if (hit != null) {
                return hit;
            }
        }
        Word word = byteLevel ? byteLevelWord(piece) : charWord(piece);
        if (cacheable) {
            if (cache.size() >= CACHE_MAX_ENTRIES) {
                cache.clear(); // crude but O(1) amortized; a corpus re-warms it within a few KB of text
            }
            cache.put(piece, word);
        }
        return word;
    }

    private Word byteLevelWord(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        if (options.ignoreMerges()) {
            Integer whole = vocab.get(ByteLevelAlphabet.toUnicode(bytes));
            if (whole != null) {
                return new Word(new int[] {whole}, new int[] {bytes.length});
            }
        }
        int n = bytes.length;
        boolean plain = options.continuingSubwordPrefix() == null && options.endOfWordSuffix() == null;
        Symbols symbols = new Symbols(n);
        for (int i = 0; i < n; i++) {
            int id = plain ? byteToId[bytes[i] & 0xFF] : -1;
            if (id >= 0) {
                symbols.flushUnk();
                symbols.add(id, 1);
            } else {
                symbol(symbols, String.valueOf(ByteLevelAlphabet.charOf(bytes[i])), i == 0, i == n - 1, 1);
            }
        }
        return symbols.merge();
    }

    private Word charWord(String piece) {
        if (options.ignoreMerges()) {
            Integer whole = vocab.get(piece);
            if (whole != null) {
                return new Word(new int[] {whole}, new int[] {Utf8.length(piece, 0, piece.length())});
            }
        }
        Symbols symbols = new Symbols(piece.length());
        for (int i = 0; i < piece.length(); ) {
            int cp = piece.codePointAt(i);
            int next = i + Character.charCount(cp);
            symbol(symbols, piece.substring(i, next), i == 0, next == piece.length(), Utf8.length(cp));
            i = next;
        }
        return symbols.merge();
    }

    /** HF's {@code merge_word} step for one initial symbol of {@code byteLen} bytes. */
    private void symbol(Symbols symbols, String s, boolean first, boolean last, int byteLen) {
        if (!first && options.continuingSubwordPrefix() != null) {
            s = options.continuingSubwordPrefix() + s;
        }
        if (last && options.endOfWordSuffix() != null) {
            s = s + options.endOfWordSuffix();
        }
        Integer id = vocab.get(s);
        if (id != null) {
            symbols.flushUnk();
            symbols.add(id, byteLen);
            return;
        }
        if (options.byteFallback() && byteFallback(symbols, s)) {
            return;
        }
        if (unkId >= 0) {
            symbols.unk(unkId, byteLen, options.fuseUnk());
        }
        // Neither: HF drops the symbol.
    }

    /** Adds one {@code <0xNN>} token per UTF-8 byte of {@code s} if all exist (each counted as one byte, as HF). */
    private boolean byteFallback(Symbols symbols, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteFallbackIds[b & 0xFF] < 0) {
                return false;
            }
        }
        for (byte b : bytes) {
            symbols.add(byteFallbackIds[b & 0xFF], 1);
        }
        return true;
    }

    /** The initial symbols of a word under construction, with HF's pending-unknown bookkeeping. */
    private final class Symbols {
        private int[] ids;
        private int[] lens;
        private int n;
        private int pendingUnk = -1;
        private int pendingUnkLen;

        Symbols(int capacity) {
            ids = new int[Math.max(capacity, 1)];
            lens = new int[Math.max(capacity, 1)];
        }

        void add(int id, int len) {
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, 2 * n);
                lens = Arrays.copyOf(lens, 2 * n);
            }
            ids[n] = id;
            lens[n++] = len;
        }

        void unk(int id, int len, boolean fuse) {
            if (pendingUnk >= 0 && fuse) {
                pendingUnkLen += len;
                return;
            }
            flushUnk();
            pendingUnk = id;
            pendingUnkLen = len;
        }

        void flushUnk() {
            if (pendingUnk >= 0) {
                add(pendingUnk, pendingUnkLen);
                pendingUnk = -1;
            }
        }

        Word merge() {
            flushUnk();
            int count = bpe.merge(ids, lens, n);
            int[] outIds = Arrays.copyOf(ids, count);
            int[] ends = new int[count];
            int pos = 0;
            for (int i = 0; i < count; i++) {
                pos += lens[i];
                ends[i] = pos;
            }
            return new Word(outIds, ends);
        }
    }
}
