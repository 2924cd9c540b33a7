package io.bolmo4j.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the parts of a Hugging Face tokenizer.json that a byte-level BPE tokenizer needs, and rejects (rather than
 * silently ignores) every setting that would change the encoding in a way this implementation does not reproduce.
 */
final class TokenizerJson {
    /** An entry of {@code added_tokens}. */
    record AddedToken(int id, String content, boolean special) {
    }

    final Map<String, Integer> vocab = new LinkedHashMap<>();
    final List<String[]> merges = new ArrayList<>();
    final List<String> preTokenizerRegexes = new ArrayList<>();
    final List<AddedToken> addedTokens = new ArrayList<>();
    boolean ignoreMerges;

    private TokenizerJson() {
    }

    static TokenizerJson parse(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new TokenizerException("malformed tokenizer.json: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new TokenizerException("malformed tokenizer.json: the top level is not a JSON object");
        }
        TokenizerJson t = new TokenizerJson();
        try {
            JsonObject o = root.getAsJsonObject();
            t.readModel(object(o, "model"));
            if (!isNull(o.get("normalizer"))) {
                throw new TokenizerException("unsupported normalizer: " + o.get("normalizer"));
            }
            t.readPreTokenizer(o.get("pre_tokenizer"));
            t.checkDecoder(o.get("decoder"));
            if (o.has("added_tokens") && !isNull(o.get("added_tokens"))) {
                t.readAddedTokens(array(o, "added_tokens"));
            }
        } catch (IllegalStateException | UnsupportedOperationException | ClassCastException
                 | NumberFormatException e) {
            // Gson's accessors signal a value of the wrong JSON type this way.
            throw new TokenizerException("malformed tokenizer.json: a field has the wrong type (" + e.getMessage() + ")", e);
        }
        return t;
    }

    private void readModel(JsonObject model) {
        String type = string(model, "type", "BPE");
        if (!type.equals("BPE")) {
            throw new TokenizerException("unsupported model type '" + type + "' (only BPE is supported)");
        }
        requireAbsentOrFalse(model, "byte_fallback");
        for (String field : new String[] {"dropout", "continuing_subword_prefix", "end_of_word_suffix"}) {
            JsonElement e = model.get(field);
            if (!isNull(e) && !(e.isJsonPrimitive() && e.getAsString().isEmpty())) {
                throw new TokenizerException("unsupported BPE option " + field + " = " + e);
            }
        }
        ignoreMerges = model.has("ignore_merges") && model.get("ignore_merges").getAsBoolean();
        for (Map.Entry<String, JsonElement> e : object(model, "vocab").entrySet()) {
            int id = e.getValue().getAsInt();
            if (id < 0) {
                throw new TokenizerException("negative id " + id + " for vocab entry '" + e.getKey() + "'");
            }
            vocab.put(e.getKey(), id);
        }
        for (JsonElement m : array(model, "merges")) {
            merges.add(merge(m));
        }
    }

    /** A merge is either "left right" or ["left", "right"]. */
    private static String[] merge(JsonElement m) {
        if (m.isJsonArray() && m.getAsJsonArray().size() == 2) {
            JsonArray a = m.getAsJsonArray();
            return new String[] {a.get(0).getAsString(), a.get(1).getAsString()};
        }
        if (m.isJsonPrimitive()) {
            String s = m.getAsString();
            int space = s.indexOf(' ');
            if (space > 0 && space == s.lastIndexOf(' ') && space < s.length() - 1) {
                return new String[] {s.substring(0, space), s.substring(space + 1)};
            }
        }
        throw new TokenizerException("malformed merge " + m + " (expected \"left right\" or [left, right])");
    }

    private void readPreTokenizer(JsonElement e) {
        if (isNull(e)) {
            throw new TokenizerException("no pre_tokenizer: a ByteLevel pre-tokenizer is required");
        }
        JsonObject p = e.getAsJsonObject();
        boolean byteLevel = false;
        List<JsonObject> steps = new ArrayList<>();
        if (string(p, "type", null).equals("Sequence")) {
            array(p, "pretokenizers").forEach(s -> steps.add(s.getAsJsonObject()));
        } else {
            steps.add(p);
        }
        for (JsonObject step : steps) {
            String type = string(step, "type", null);
            if (byteLevel) {
                throw new TokenizerException("unsupported pre-tokenizer " + type + " after ByteLevel");
            }
            switch (type) {
                case "Split" -> readSplit(step);
                case "ByteLevel" -> {
                    requireAbsentOrFalse(step, "add_prefix_space");
                    if (!step.has("use_regex") || step.get("use_regex").getAsBoolean()) {
                        preTokenizerRegexes.add(PreTokenizer.GPT2_PATTERN);
                    }
                    byteLevel = true;
                }
                default -> throw new TokenizerException("unsupported pre-tokenizer type '" + type + "'");
            }
        }
        if (!byteLevel) {
            throw new TokenizerException("the pre_tokenizer has no ByteLevel step: only byte-level BPE is supported");
        }
    }

    private void readSplit(JsonObject split) {
        String behavior = string(split, "behavior", null);
        if (!behavior.equals("Isolated")) {
            throw new TokenizerException("unsupported Split behavior '" + behavior + "' (only Isolated)");
        }
        requireAbsentOrFalse(split, "invert");
        JsonObject pattern = object(split, "pattern");
        if (pattern.has("Regex")) {
            preTokenizerRegexes.add(pattern.get("Regex").getAsString());
        } else if (pattern.has("String")) {
            preTokenizerRegexes.add(java.util.regex.Pattern.quote(pattern.get("String").getAsString()));
        } else {
            throw new TokenizerException("Split pattern has neither Regex nor String: " + pattern);
        }
    }

    private void checkDecoder(JsonElement e) {
        if (isNull(e)) {
            return;
        }
        String type = string(e.getAsJsonObject(), "type", null);
        if (!type.equals("ByteLevel")) {
            throw new TokenizerException("unsupported decoder type '" + type + "' (only ByteLevel)");
        }
    }

    private void readAddedTokens(JsonArray tokens) {
        for (JsonElement e : tokens) {
            JsonObject t = e.getAsJsonObject();
            String content = string(t, "content", null);
            if (content.isEmpty()) {
                throw new TokenizerException("added token with empty content (id " + t.get("id") + ")");
            }
            for (String flag : new String[] {"single_word", "lstrip", "rstrip"}) {
                if (t.has(flag) && t.get(flag).getAsBoolean()) {
                    throw new TokenizerException("unsupported added-token option " + flag + " on '" + content + "'");
                }
            }
            if (!t.has("id")) {
                throw new TokenizerException("added token '" + content + "' has no id");
            }
            boolean special = t.has("special") && t.get("special").getAsBoolean();
            addedTokens.add(new AddedToken(t.get("id").getAsInt(), content, special));
        }
    }

    private static boolean isNull(JsonElement e) {
        return e == null || e.isJsonNull();
    }

    private static JsonObject object(JsonObject o, String field) {
        if (!o.has(field) || !o.get(field).isJsonObject()) {
            throw new TokenizerException("malformed tokenizer.json: missing object \"" + field + "\"");
        }
        return o.getAsJsonObject(field);
    }

    private static JsonArray array(JsonObject o, String field) {
        if (!o.has(field) || !o.get(field).isJsonArray()) {
            throw new TokenizerException("malformed tokenizer.json: missing array \"" + field + "\"");
        }
        return o.getAsJsonArray(field);
    }

    private static String string(JsonObject o, String field, String fallback) {
        if (isNull(o.get(field))) {
            if (fallback != null) {
                return fallback;
            }
            throw new TokenizerException("malformed tokenizer.json: missing string \"" + field + "\" in " + o);
        }
        return o.get(field).getAsString();
    }

    private static void requireAbsentOrFalse(JsonObject o, String field) {
        if (!isNull(o.get(field)) && o.get(field).getAsBoolean()) {
            throw new TokenizerException("unsupported option " + field + " = true in " + string(o, "type", "?"));
        }
    }
}
