package io.bolmo4j.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a Hugging Face tokenizer.json into the pipeline's parts. Everything that changes the encoding is either
 * understood or rejected with the file name and JSON path ({@code tokenizer.json: normalizer.type 'Foo' is not
 * supported}); {@code truncation} and {@code padding} are ignored (this tokenizer never truncates or pads).
 */
final class TokenizerJson {
    final Map<String, Integer> vocab = new HashMap<>();
    /** Merges in rank order as {@code [left id, right id, merged id]}. */
    final List<int[]> merges = new ArrayList<>();
    private final List<String[]> streamedMerges = new ArrayList<>();
    private boolean vocabStreamed;
    private boolean mergesStreamed;
    BpeModel.Options options;
    final List<AddedVocabulary.AddedToken> addedTokens = new ArrayList<>();
    Normalizer normalizer;
    PreTokenizer preTokenizer;
    boolean byteLevel;
    PostProcessor postProcessor;
    Decoder decoder;

    private TokenizerJson() {
    }

    /**
     * @param json the file's content
     * @param file the name used in error messages
     */
    static TokenizerJson parse(String json, String file) {
        TokenizerJson t = new TokenizerJson();
        JsonObject root = new JsonObject();
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                JsonParser.parseReader(reader); // a malformed document fails as such first
                throw new JsonNode(file, "", null).error("is not a tokenizer.json: the top level is not a JSON object");
            }
            reader.beginObject();
            while (reader.hasNext()) {
                String name = reader.nextName();
                boolean model = name.equals("model") && reader.peek() == JsonToken.BEGIN_OBJECT;
                root.add(name, model ? t.streamModel(reader, file) : JsonParser.parseReader(reader));
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("text after the top-level object");
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new TokenizerException(file + ": malformed JSON (" + why + ")", e);
        }
        JsonNode r = new JsonNode(file, "", root);
        String version = r.get("version").string("1.0");
        if (!version.equals("1.0")) {
            throw r.get("version").error("'" + version + "' is not supported (only 1.0)");
        }
        t.readModel(r.get("model"));
        t.normalizer = r.has("normalizer") ? normalizer(r.get("normalizer")) : null;
        t.preTokenizer = r.has("pre_tokenizer") ? t.preTokenizer(r.get("pre_tokenizer")) : null;
        t.readAddedTokens(r.get("added_tokens"));
        t.decoder = r.has("decoder") ? decoder(r.get("decoder")) : null;
        t.postProcessor = r.has("post_processor") ? t.postProcessor(r.get("post_processor")) : null;
        return t;
    }

    /**
     * Reads the model object, streaming {@code vocab} and {@code merges} (100k entries each) straight into
     * {@link #vocab} and {@link #streamedMerges}: a gson tree of them would take most of the load time.
     */
    private JsonObject streamModel(JsonReader reader, String file) throws IOException {
        JsonObject model = new JsonObject();
        reader.beginObject();
        while (reader.hasNext()) {
            String name = reader.nextName();
            if (name.equals("vocab") && reader.peek() == JsonToken.BEGIN_OBJECT) {
                reader.beginObject();
                while (reader.hasNext()) {
                    String token = reader.nextName();
                    double id = reader.peek() == JsonToken.NUMBER ? reader.nextDouble() : -1;
                    if (id != Math.rint(id) || id < 0 || id > Integer.MAX_VALUE) {
                        JsonElement bad = id == -1 ? JsonParser.parseReader(reader) : new JsonPrimitive(id);
                        new JsonNode(file, "model.vocab." + token, bad).id(); // throws with the path
                    }
                    vocab.put(token, (int) id);
                }
                reader.endObject();
                vocabStreamed = true;
            } else if (name.equals("merges") && reader.peek() == JsonToken.BEGIN_ARRAY) {
                reader.beginArray();
                while (reader.hasNext()) {
                    JsonElement m = reader.peek() == JsonToken.STRING ? new JsonPrimitive(reader.nextString())
                            : JsonParser.parseReader(reader);
                    String[] pair = merge(m);
                    if (pair == null) {
                        throw new JsonNode(file, "model.merges", null).at(streamedMerges.size()).error("must be \"left right\" or [\"left\", \"right\"], got " + m);
                    }
                    streamedMerges.add(pair);
                }
                reader.endArray();
                mergesStreamed = true;
            } else {
                model.add(name, JsonParser.parseReader(reader));
            }
        }
        reader.endObject();
        return model;
    }

    private static String type(JsonNode n) {
        return n.get("type").string();
    }

    private static TokenizerException unsupported(JsonNode n, String type, String what) {
        return n.get("type").error("'" + type + "' is not supported (supported: " + what + ")");
    }

    // ---- model ----

    private void readModel(JsonNode model) {
        model.object();
        String type = model.get("type").string("BPE");
        if (!type.equals("BPE")) {
            throw unsupported(model, type, "BPE");
        }
        if (model.has("dropout") && model.get("dropout").number() != 0) {
            throw model.get("dropout").error(model.get("dropout") + " is not supported: BPE dropout is random");
        }
        if (!vocabStreamed) {
            model.get("vocab").object(); // missing, or not an object: throws
        }
        String prefix = emptyToNull(model.get("continuing_subword_prefix").string(null));
        String suffix = emptyToNull(model.get("end_of_word_suffix").string(null));
        String unk = model.get("unk_token").string(null);
        if (unk != null && !vocab.containsKey(unk)) {
            throw model.get("unk_token").error("'" + unk + "' is not in the vocab");
        }
        options = new BpeModel.Options(unk, model.get("fuse_unk").bool(false), model.get("byte_fallback").bool(false),
                prefix, suffix, model.get("ignore_merges").bool(false));
        int prefixLength = prefix == null ? 0 : prefix.length();
        if (!mergesStreamed) {
            model.get("merges").array(); // missing, or not an array: throws
        }
        JsonNode mergesNode = model.get("merges");
        for (int i = 0; i < streamedMerges.size(); i++) {
            String[] pair = streamedMerges.get(i);
            Integer left = vocab.get(pair[0]);
            Integer right = vocab.get(pair[1]);
            if (left == null || right == null) {
                throw mergesNode.at(i).error("'" + pair[0] + " " + pair[1] + "': '" + (left == null ? pair[0] : pair[1])
                        + "' is not in the vocab");
            }
            if (pair[1].length() < prefixLength) {
                throw mergesNode.at(i).error("'" + pair[1] + "' is shorter than the continuing_subword_prefix");
            }
            String merged = pair[0] + pair[1].substring(prefixLength);
            Integer mergedId = vocab.get(merged);
            if (mergedId == null) {
                throw mergesNode.at(i).error("'" + pair[0] + " " + pair[1] + "' makes '" + merged
                        + "', which is not in the vocab");
            }
            merges.add(new int[] {left, right, mergedId});
        }
    }

    private static String emptyToNull(String s) {
        // HF treats "" like no prefix / suffix: it attaches nothing.
        return s == null || s.isEmpty() ? null : s;
    }

    /** A merge is either "left right" or ["left", "right"]; null if it is neither. */
    private static String[] merge(JsonElement m) {
        if (m.isJsonArray()) {
            JsonArray parts = m.getAsJsonArray();
            if (parts.size() == 2 && isString(parts.get(0)) && isString(parts.get(1))) {
                return new String[] {parts.get(0).getAsString(), parts.get(1).getAsString()};
            }
        } else if (isString(m)) {
            String s = m.getAsString();
            int space = s.indexOf(' ');
            if (space >= 0 && space == s.lastIndexOf(' ')) {
                return new String[] {s.substring(0, space), s.substring(space + 1)};
            }
        }
        return null;
    }

    private static boolean isString(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    // ---- added tokens ----

    private void readAddedTokens(JsonNode tokens) {
        if (tokens.isNull()) {
            return;
        }
        Map<String, Integer> assigned = new HashMap<>();
        // The vocab strings holding the ids the added tokens claim, to name a clash.
        Map<Integer, String> byId = new HashMap<>();
        for (JsonNode t : tokens.array()) {
            byId.put(t.get("id").id(), null);
        }
        vocab.forEach((s, id) -> byId.replace(id, null, s)); // the first vocab string of each claimed id
        for (JsonNode t : tokens.array()) {
            String content = t.get("content").string();
            if (content.isEmpty()) {
                throw t.get("content").error("is empty");
            }
            int id = t.get("id").id();
            boolean special = t.get("special").bool(false);
            AddedVocabulary.AddedToken token = new AddedVocabulary.AddedToken(id, content, special,
                    t.get("single_word").bool(false), t.get("lstrip").bool(false), t.get("rstrip").bool(false),
                    t.get("normalized").bool(!special));
            Integer inVocab = vocab.get(content);
            if (inVocab != null && inVocab != id) {
                throw t.error("'" + content + "' has id " + id + " but the vocab gives it id " + inVocab);
            }
            String other = byId.get(id);
            if (other != null && !other.equals(content)) {
                throw t.error("id " + id + " is given to both '" + other + "' and '" + content + "'");
            }
            int expected = hfId(content, assigned);
            if (expected != id) {
                throw t.error("'" + content + "' has id " + id + ", but Hugging Face would give it id " + expected
                        + " (a token outside the vocab takes the next id after the vocab)");
            }
            assigned.put(content, id);
            byId.put(id, content);
            addedTokens.add(token);
        }
    }

    /** The id HF's {@code add_tokens} gives {@code content}: its own, the vocab's, or the next free one. */
    private int hfId(String content, Map<String, Integer> assigned) {
        Integer id = assigned.get(content);
        if (id == null) {
            id = vocab.get(content);
        }
        if (id != null) {
            return id;
        }
        int size = vocab.size();
        int max = assigned.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        if (max < 0) {
            return size;
        }
        return max >= size || size == 0 ? max + 1 : size;
    }

    // ---- normalizers ----

    private static final String NORMALIZERS =
            "NFC, NFD, NFKC, NFKD, Lowercase, Strip, Replace, Prepend, BertNormalizer, Sequence";

    private static Normalizer normalizer(JsonNode n) {
        String type = type(n);
        return switch (type) {
            case "NFC", "NFD", "NFKC", "NFKD" -> new Normalizer.Unicode(Form.valueOf(type));
            case "Lowercase" -> new Normalizer.Lowercase();
            case "Strip" -> new Normalizer.Strip(n.get("strip_left").bool(true), n.get("strip_right").bool(true));
            case "Replace" -> new Normalizer.Replace(pattern(n.get("pattern")), n.get("content").string());
            case "Prepend" -> new Normalizer.Prepend(n.get("prepend").string());
            case "BertNormalizer" -> {
                boolean lowercase = n.get("lowercase").bool(true);
                JsonNode strip = n.get("strip_accents");
                yield new Normalizer.Bert(n.get("clean_text").bool(true), n.get("handle_chinese_chars").bool(true),
                        strip.isNull() ? lowercase : strip.bool(false), lowercase);
            }
            case "Sequence" -> new Normalizer.Sequence(n.get("normalizers").array().stream().map(TokenizerJson::normalizer).toList());
            default -> throw unsupported(n, type, NORMALIZERS);
        };
    }

    /** A {@code {"String": s}} (literal) or {@code {"Regex": r}} pattern. */
    private static Pattern pattern(JsonNode p) {
        if (p.has("String")) {
            return Pattern.compile(Pattern.quote(p.get("String").string()));
        }
        if (p.has("Regex")) {
            JsonNode regex = p.get("Regex");
            try {
                return PreTokenizer.compile(regex.string());
            } catch (PatternSyntaxException e) {
                throw regex.error("does not compile in Java: " + e.getDescription() + " near index " + e.getIndex());
            } catch (IllegalArgumentException e) {
                throw regex.error("is not supported: " + e.getMessage());
            }
        }
        throw p.error("must be {\"String\": ...} or {\"Regex\": ...}, got " + p);
    }

    // ---- pre-tokenizers ----

    private static final String PRE_TOKENIZERS = "Split, ByteLevel, Whitespace, WhitespaceSplit, Metaspace, Digits, "
            + "Punctuation, BertPreTokenizer, Sequence";

    private PreTokenizer preTokenizer(JsonNode n) {
        if (byteLevel) {
            throw n.error("comes after a ByteLevel pre-tokenizer, which is not supported (ByteLevel must be last)");
        }
        String type = type(n);
        return switch (type) {
            case "Split" -> new PreTokenizer.Split(pattern(n.get("pattern")), behavior(n.get("behavior")),
                    n.get("invert").bool(false));
            case "ByteLevel" -> {
                byteLevel = true;
                yield new PreTokenizer.ByteLevel(n.get("add_prefix_space").bool(true), n.get("use_regex").bool(true));
            }
            case "Whitespace" -> new PreTokenizer.Whitespace();
            case "WhitespaceSplit" -> new PreTokenizer.CharSplit(Chars::isWhitespace, SplitDelimiterBehavior.Removed);
            case "Metaspace" -> new PreTokenizer.Metaspace(n.get("replacement").character(), prependScheme(n),
                    n.get("split").bool(true));
            case "Digits" -> new PreTokenizer.CharSplit(Chars::isNumeric, n.get("individual_digits").bool(false)
                    ? SplitDelimiterBehavior.Isolated : SplitDelimiterBehavior.Contiguous);
            case "Punctuation" -> new PreTokenizer.CharSplit(Chars::isPunctuation,
                    n.has("behavior") ? behavior(n.get("behavior")) : SplitDelimiterBehavior.Isolated);
            case "BertPreTokenizer" -> new PreTokenizer.Sequence(List.of(
                    new PreTokenizer.CharSplit(Chars::isWhitespace, SplitDelimiterBehavior.Removed),
                    new PreTokenizer.CharSplit(Chars::isPunctuation, SplitDelimiterBehavior.Isolated)));
            case "Sequence" -> new PreTokenizer.Sequence(n.get("pretokenizers").array().stream().map(this::preTokenizer).toList());
            default -> throw unsupported(n, type, PRE_TOKENIZERS);
        };
    }

    private static SplitDelimiterBehavior behavior(JsonNode b) {
        try {
            return SplitDelimiterBehavior.valueOf(b.string());
        } catch (IllegalArgumentException e) {
            throw b.error("'" + b.string() + "' is not a split behavior ("
                    + Arrays.toString(SplitDelimiterBehavior.values()) + ")");
        }
    }

    /** {@code prepend_scheme}, or the legacy {@code add_prefix_space} ({@code false} = never). */
    private static PreTokenizer.Metaspace.PrependScheme prependScheme(JsonNode n) {
        JsonNode scheme = n.get("prepend_scheme");
        PreTokenizer.Metaspace.PrependScheme s = PreTokenizer.Metaspace.PrependScheme.ALWAYS;
        if (!scheme.isNull()) {
            try {
                s = PreTokenizer.Metaspace.PrependScheme.valueOf(scheme.string().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw scheme.error("'" + scheme.string() + "' is not one of first, never, always");
            }
        }
        if (!n.get("add_prefix_space").bool(true)) {
            if (s != PreTokenizer.Metaspace.PrependScheme.NEVER && !scheme.isNull()) {
                throw n.get("add_prefix_space").error("false does not match prepend_scheme '" + scheme.string() + "'");
            }
            s = PreTokenizer.Metaspace.PrependScheme.NEVER;
        }
        return s;
    }

    // ---- post-processors ----

    private static final String POST_PROCESSORS =
            "TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence";

    private PostProcessor postProcessor(JsonNode n) {
        String type = type(n);
        return switch (type) {
            case "TemplateProcessing" -> template(n);
            case "ByteLevel" -> new PostProcessor.ByteLevel(n.get("trim_offsets").bool(true),
                    n.get("add_prefix_space").bool(true));
            // RobertaProcessing is ByteLevel's offset trimming, then BertProcessing's cls A sep.
            case "RobertaProcessing" -> new PostProcessor.Sequence(List.of(new PostProcessor.ByteLevel(
                    n.get("trim_offsets").bool(true), n.get("add_prefix_space").bool(true)), clsSep(n)));
            case "BertProcessing" -> clsSep(n);
            case "Sequence" -> new PostProcessor.Sequence(n.get("processors").array().stream().map(this::postProcessor).toList());
            default -> throw unsupported(n, type, POST_PROCESSORS);
        };
    }

    /** Roberta/Bert's template {@code cls} A {@code sep}. */
    private static PostProcessor.Template clsSep(JsonNode n) {
        return new PostProcessor.Template(Arrays.asList(pair(n.get("cls")), null, pair(n.get("sep"))));
    }

    /** Roberta/Bert's {@code ["<s>", 0]}. */
    private static PostProcessor.Special pair(JsonNode p) {
        List<JsonNode> a = p.array();
        if (a.size() != 2) {
            throw p.error("must be [token, id], got " + p);
        }
        return new PostProcessor.Special(new int[] {a.get(1).id()}, new String[] {a.get(0).string()});
    }

    /** The {@code single} template; a {@code null} piece stands for the sequence itself. */
    private static PostProcessor.Template template(JsonNode n) {
        Map<String, PostProcessor.Special> specials = new LinkedHashMap<>();
        JsonNode table = n.get("special_tokens");
        if (!table.isNull()) {
            for (Map.Entry<String, JsonNode> e : table.fields().entrySet()) {
                JsonNode s = e.getValue();
                List<JsonNode> ids = s.get("ids").array();
                List<JsonNode> tokens = s.get("tokens").array();
                if (ids.size() != tokens.size()) {
                    throw s.error("has " + ids.size() + " ids but " + tokens.size() + " tokens");
                }
                specials.put(e.getKey(), new PostProcessor.Special(ids.stream().mapToInt(JsonNode::id).toArray(),
                        tokens.stream().map(JsonNode::string).toArray(String[]::new)));
            }
        }
        List<PostProcessor.Special> pieces = new ArrayList<>();
        for (JsonNode piece : n.get("single").array()) {
            if (piece.has("Sequence")) {
                JsonNode id = piece.get("Sequence").get("id");
                if (!id.string().equals("A")) {
                    throw id.error("'" + id.string() + "' is not supported in a single template");
                }
                pieces.add(null);
            } else if (piece.has("SpecialToken")) {
                String special = piece.get("SpecialToken").get("id").string();
                if (!specials.containsKey(special)) {
                    throw piece.error("names special token '" + special + "', which special_tokens does not define");
                }
                pieces.add(specials.get(special));
            } else {
                throw piece.error("must be {\"Sequence\": ...} or {\"SpecialToken\": ...}, got " + piece);
            }
        }
        return new PostProcessor.Template(pieces);
    }

    // ---- decoders ----

    private static final String DECODERS = "ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence";

    private static Decoder decoder(JsonNode n) {
        String type = type(n);
        return switch (type) {
            case "ByteLevel" -> new Decoder.ByteLevel();
            case "Metaspace" -> new Decoder.Metaspace(n.get("replacement").character(),
                    prependScheme(n) != PreTokenizer.Metaspace.PrependScheme.NEVER);
            case "ByteFallback" -> new Decoder.ByteFallback();
            case "Fuse" -> new Decoder.Fuse();
            case "Strip" -> new Decoder.Strip(n.get("content").character(), n.get("start").id(), n.get("stop").id());
            case "Replace" -> new Decoder.Replace(pattern(n.get("pattern")), n.get("content").string());
            case "Sequence" -> new Decoder.Sequence(n.get("decoders").array().stream().map(TokenizerJson::decoder).toList());
            default -> throw unsupported(n, type, DECODERS);
        };
    }
}
