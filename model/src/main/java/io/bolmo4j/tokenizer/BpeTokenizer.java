package io.bolmo4j.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer (BPE model): the whole {@code tokenizers} pipeline as LM
 * checkpoints use it. Added tokens are split out, the rest is normalized, pre-tokenized and BPE-encoded, and a
 * post-processor may add special tokens; ids and offsets match the Rust library token for token (checked against it
 * in the tests). Byte-level vocabularies (GPT-2, cl100k / OLMo 2 dolma2) and SentencePiece-style ones (Metaspace,
 * {@code byte_fallback}) alike; unsupported settings are rejected with the file and JSON path. Thread-safe.
 * <p>
 * Offsets are UTF-8 byte offsets into the input, through normalization as HF aligns them; where HF reports a whole
 * character for a token that holds part of one (byte-level vocabularies), the span is just the token's bytes. Without
 * normalizer or offset trimming the spans tile the text. An unpaired surrogate in the input is read as U+FFFD (3 bytes),
 * as it would be by Python or Rust; every other input behaves as {@code text.getBytes(UTF_8)}.
 */
public final class BpeTokenizer {
    /** The end-of-text token of GPT-2, cl100k and Qwen vocabularies. */
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** dolma2's padding token. */
    public static final String PAD = "<|pad|>";

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> added = new HashMap<>();
    private final Map<String, Integer> specials = new LinkedHashMap<>();
    private final String[] idToString;
    private final byte[][] idToBytes;
    private final boolean[] isSpecial;
    private final BpeModel model;
    private final AddedVocabulary addedVocabulary;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final DocumentTokens document;

    private BpeTokenizer(TokenizerJson json, String file) {
        vocab = json.vocab;
        normalizer = json.normalizer;
        preTokenizer = json.preTokenizer;
        postProcessor = json.postProcessor;
        decoder = json.decoder;
        int size = IntStream.concat(vocab.values().stream().mapToInt(Integer::intValue),
                json.addedTokens.stream().mapToInt(AddedVocabulary.AddedToken::id)).max().orElse(-1) + 1;
        idToString = new String[size];
        idToBytes = new byte[size][];
        isSpecial = new boolean[size];
        for (AddedVocabulary.AddedToken t : json.addedTokens) {
            define(t.id(), t.content(), t.content().getBytes(StandardCharsets.UTF_8), file);
            added.put(t.content(), t.id());
            isSpecial[t.id()] |= t.special();
            if (t.special()) {
                specials.putIfAbsent(t.content(), t.id());
            }
        }
        List<Decoder> decoderSteps = Decoder.steps(decoder).toList();
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (!added.containsKey(e.getKey())) {
                define(e.getValue(), e.getKey(), Decoder.tokenBytes(decoderSteps, e.getKey(), json.byteLevel), file);
            }
        }
        MergeTable merges = new MergeTable(json.merges.size());
        for (int rank = 0; rank < json.merges.size(); rank++) {
            int[] m = json.merges.get(rank);
            merges.put(m[0], m[1], rank, m[2]);
        }
        model = new BpeModel(vocab, merges, json.byteLevel, json.options);
        addedVocabulary = new AddedVocabulary(json.addedTokens, normalizer);
        document = DocumentTokens.of(this);
    }

    /** A view of {@code t} with other document ids; everything else is shared. */
    private BpeTokenizer(BpeTokenizer t, DocumentTokens document) {
        vocab = t.vocab;
        added.putAll(t.added);
        specials.putAll(t.specials);
        idToString = t.idToString;
        idToBytes = t.idToBytes;
        isSpecial = t.isSpecial;
        model = t.model;
        addedVocabulary = t.addedVocabulary;
        normalizer = t.normalizer;
        preTokenizer = t.preTokenizer;
        postProcessor = t.postProcessor;
        decoder = t.decoder;
        this.document = document;
    }

    /**
     * This tokenizer with the BOS, end-of-text and pad ids a model directory declares (see {@link DocumentTokens});
     * ids must be in the vocabulary.
     */
    public BpeTokenizer withDocumentTokens(DocumentTokens tokens) {
        for (OptionalInt id : List.of(tokens.bos(), tokens.endOfText(), tokens.pad())) {
            if (id.isPresent()) {
                bytes(id.getAsInt());
            }
        }
        return new BpeTokenizer(this, tokens);
    }

    /** The BOS, end-of-text and pad ids: the vocabulary's usual names unless {@link #withDocumentTokens} set others. */
    public DocumentTokens documentTokens() {
        return document;
    }

    /**
     * Loads a tokenizer.json file.
     *
     * @throws TokenizerException if the file cannot be read, is malformed, or uses unsupported features; the message
     *                            names the file and the JSON path
     */
    public static BpeTokenizer load(Path tokenizerJson) {
        String json;
        if (Files.exists(tokenizerJson) && !Files.isRegularFile(tokenizerJson)) { // a named pipe would block the read
            throw new TokenizerException("cannot read " + tokenizerJson + ": not a regular file");
        }
        try {
            json = Files.readString(tokenizerJson, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + tokenizerJson + ": " + e, e);
        }
        return new BpeTokenizer(TokenizerJson.parse(json, tokenizerJson.toString()), tokenizerJson.toString());
    }

    /**
     * Parses the content of a tokenizer.json file (named "tokenizer.json" in error messages).
     *
     * @throws TokenizerException if it is malformed or uses unsupported features
     */
    public static BpeTokenizer fromJson(String json) {
        return new BpeTokenizer(TokenizerJson.parse(json, "tokenizer.json"), "tokenizer.json");
    }

    private void define(int id, String spelling, byte[] bytes, String file) {
        if (idToString[id] != null && !idToString[id].equals(spelling)) {
            throw new TokenizerException(file + ": id " + id + " is given to both '" + idToString[id] + "' and '"
                    + spelling + "'");
        }
        idToString[id] = spelling;
        idToBytes[id] = bytes;
    }

    /** Encodes ordinary text: literal special-token strings are encoded as text. Same as {@code encode(text, false)}. */
    public Encoding encode(String text) {
        return encode(text, false);
    }

    /**
     * Encodes text with byte offsets (see the class comment), without the post-processor's special tokens.
     *
     * @param allowSpecial whether literal special-token strings become their ids (as Hugging Face does by default);
     *                     non-special added tokens are always split out
     */
    public Encoding encode(String text, boolean allowSpecial) {
        return encode(text, allowSpecial, false);
    }

    /**
     * Encodes text as Hugging Face's {@code encode(text, add_special_tokens)} does when {@code allowSpecial}.
     *
     * @param allowSpecial      whether literal special-token strings become their ids
     * @param addSpecialTokens  whether the post-processor adds its special tokens (e.g. BOS), at offsets 0..0
     */
    public Encoding encode(String text, boolean allowSpecial, boolean addSpecialTokens) {
        Tokens tokens = tokens(text, allowSpecial);
        if (postProcessor != null) {
            tokens = postProcessor.process(tokens, addSpecialTokens);
        }
        return tokens.toEncoding();
    }

    /** @return the ids of ordinary text (special-token strings encoded as text), without offsets */
    public int[] encodeIds(String text) {
        return encodeIds(text, false);
    }

    /** @return the ids of {@code text}; see {@link #encode(String, boolean)} */
    public int[] encodeIds(String text, boolean allowSpecial) {
        return tokens(text, allowSpecial).ids.toArray();
    }

    private Tokens tokens(String text, boolean allowSpecial) {
        text = Utf8.wellFormed(text);
        Tokens out = new Tokens(text, text.length() / 3 + 4, postProcessor != null && postProcessor.needsValues());
        splitAdded(NormalizedString.of(text), false, allowSpecial, out, part -> splitAdded(
                normalizer == null ? part : normalizer.normalize(part), true, allowSpecial, out, p -> encodeText(p, out)));
        return out;
    }

    /** Adds the added tokens in {@code text} to {@code out}; the text between them goes, in order, to {@code between}. */
    private void splitAdded(NormalizedString text, boolean normalized, boolean allowSpecial, Tokens out,
                            Consumer<NormalizedString> between) {
        List<NormalizedString> parts = new ArrayList<>();
        IntList ids = new IntList(4);
        addedVocabulary.split(text, normalized, allowSpecial, parts, ids);
        for (int i = 0; i < parts.size(); i++) {
            NormalizedString part = parts.get(i);
            if (ids.get(i) >= 0) {
                out.add(ids.get(i), part.originalStart(), part.originalEnd(), part.text());
            } else {
                between.accept(part);
            }
        }
    }

    private void encodeText(NormalizedString text, Tokens out) {
        List<NormalizedString> pieces;
        if (preTokenizer == null) {
            pieces = List.of(text);
        } else {
            pieces = new ArrayList<>();
            preTokenizer.split(text, pieces);
        }
        for (NormalizedString piece : pieces) {
            BpeModel.Word word = model.tokenize(piece.text());
            int from = 0;
            for (int k = 0; k < word.ids().length; k++) {
                int to = word.ends()[k];
                long range = piece.originalRange(from, to);
                int id = word.ids()[k];
                out.add(id, (int) (range >>> 32), (int) range, idToString[id]);
                from = to;
            }
        }
    }

    /** Decodes ids to text, writing special tokens out; see {@link #decode(int[], boolean)}. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * Decodes ids to text through the file's decoder, as Hugging Face's {@code decode} does (without a decoder the
     * token strings are joined with spaces, as HF does); invalid UTF-8 (e.g. a cut multi-byte character) becomes
     * U+FFFD.
     *
     * @param skipSpecial whether special tokens are left out
     * @throws TokenizerException for an id outside the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecial) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            bytes(id);
            if (!(skipSpecial && isSpecial[id])) {
                tokens.add(idToString[id]);
            }
        }
        return decoder == null ? String.join(" ", tokens) : String.join("", decoder.decodeChain(tokens));
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
     * @return the bytes a token stands for wherever it occurs: a byte-level token's bytes, a {@code <0xNN>} byte
     *         token's byte, a Metaspace token's text with the replacement char as a space, an added token's UTF-8
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
     * @return the end-of-text id, which ends a document ({@link DocumentTokens#endOfText()})
     * @throws TokenizerException if the vocabulary has none of the usual names and none was declared
     */
    public int eosId() {
        return document.endOfText().orElseThrow(() -> new TokenizerException("the vocabulary has no end-of-text token "
                + DocumentTokens.END_OF_TEXT_NAMES + "; name it in config.json (eos_token_id) or tokenizer_config.json (eos_token)"));
    }

    /**
     * @return the id a text starts with ({@link DocumentTokens#bos()}: a dedicated BOS, else end-of-text)
     * @throws TokenizerException if there is none
     */
    public int bosId() {
        return document.bos().orElseThrow(() -> new TokenizerException("the vocabulary has no BOS or end-of-text token "
                + DocumentTokens.BOS_NAMES + " " + DocumentTokens.END_OF_TEXT_NAMES + "; name it in config.json (bos_token_id)"));
    }

    /** @return the padding id, if any ({@link DocumentTokens#pad()}) */
    public OptionalInt padId() {
        return document.pad();
    }
}
