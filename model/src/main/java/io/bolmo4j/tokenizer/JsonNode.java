package io.bolmo4j.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A value in a tokenizer.json together with its file name and JSON path, so that every complaint about it reads
 * {@code tokenizer.json: normalizer.type 'Foo' is not supported}.
 */
record JsonNode(String file, String path, JsonElement value) {
    /** @return the error {@code FILE: PATH MESSAGE} */
    TokenizerException error(String message) {
        return new TokenizerException(file + ": " + (path.isEmpty() ? "" : path + " ") + message);
    }

    /** @return whether the value is absent or JSON null */
    boolean isNull() {
        return value == null || value.isJsonNull();
    }

    /** @return field {@code key} of this object (possibly absent) */
    JsonNode get(String key) {
        JsonElement e = value != null && value.isJsonObject() ? value.getAsJsonObject().get(key) : null;
        return new JsonNode(file, path.isEmpty() ? key : path + "." + key, e);
    }

    /** @return whether this object has a non-null field {@code key} */
    boolean has(String key) {
        return !get(key).isNull();
    }

    private JsonNode required() {
        if (isNull()) {
            throw error("is missing");
        }
        return this;
    }

    private String got() {
        String s = value == null ? "nothing" : value.toString();
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    JsonObject object() {
        if (!required().value.isJsonObject()) {
            throw error("must be a JSON object, got " + got());
        }
        return value.getAsJsonObject();
    }

    /** @return the fields of this object, in file order */
    Map<String, JsonNode> fields() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : object().entrySet()) {
            out.put(e.getKey(), new JsonNode(file, path + "." + e.getKey(), e.getValue()));
        }
        return out;
    }

    /** @return the elements of this array */
    List<JsonNode> array() {
        if (!required().value.isJsonArray()) {
            throw error("must be a JSON array, got " + got());
        }
        return IntStream.range(0, value.getAsJsonArray().size()).mapToObj(this::at).toList();
    }

    /** @return element {@code i} of this array (its value only when this node holds the array) */
    JsonNode at(int i) {
        boolean held = value != null && value.isJsonArray() && i < value.getAsJsonArray().size();
        return new JsonNode(file, path + "[" + i + "]", held ? value.getAsJsonArray().get(i) : null);
    }

    boolean isString() {
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString();
    }

    String string() {
        if (!isString()) {
            throw required().error("must be a string, got " + got());
        }
        return value.getAsString();
    }

    /** @return the string, or {@code fallback} when absent or null */
    String string(String fallback) {
        return isNull() ? fallback : string();
    }

    boolean bool(boolean fallback) {
        if (isNull()) {
            return fallback;
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
            throw error("must be true or false, got " + got());
        }
        return value.getAsBoolean();
    }

    double number() {
        JsonPrimitive p = required().value.isJsonPrimitive() ? value.getAsJsonPrimitive() : null;
        if (p == null || !p.isNumber()) {
            throw error("must be a number, got " + got());
        }
        return p.getAsDouble();
    }

    /** @return a non-negative integer */
    int id() {
        double d = number();
        if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
            throw error("must be a non-negative integer, got " + got());
        }
        return (int) d;
    }

    /** @return a string of exactly one character (code point) */
    int character() {
        String s = string();
        if (s.codePointCount(0, s.length()) != 1) {
            throw error("must be a single character, got " + got());
        }
        return s.codePointAt(0);
    }

    @Override
    public String toString() {
        return got();
    }
}
