package io.bolmo4j.data;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Dolma-style JSON Lines, optionally gzipped: one object per line with a string {@code text} and optional
 * {@code id} and {@code source}; other fields are ignored and blank lines are skipped. A missing id becomes
 * {@code <name>:<line>}, a missing source the file name without extensions.
 */
record JsonlPart(String name, InputOpener opener) implements Part {
    private static final TypeAdapter<JsonElement> JSON = new Gson().getAdapter(JsonElement.class);

    @Override
    public Stream<Document> open(boolean lenient, LongAdder skipped) {
        BufferedReader reader = opener.openReader(name);
        String defaultSource = stem(name);
        LazyIterator<Document> it = new LazyIterator<>() {
            private long lineNumber;

            @Override
            protected Document computeNext() {
                String line;
                while ((line = InputOpener.readLine(reader, name)) != null) {
                    lineNumber++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        return parse(line, name + ":" + lineNumber, defaultSource);
                    } catch (IllegalArgumentException e) {
                        if (!lenient) {
                            throw new CorpusException("malformed JSONL at " + name + " line " + lineNumber + ": "
                                    + e.getMessage(), e);
                        }
                        skipped.increment();
                    }
                }
                return null;
            }
        };
        return it.stream(() -> InputOpener.close(reader));
    }

    /** Parses one line strictly (no comments, unquoted names or trailing data); IllegalArgumentException if bad. */
    static Document parse(String line, String defaultId, String defaultSource) {
        JsonElement element;
        try (JsonReader reader = new JsonReader(new StringReader(line))) {
            reader.setStrictness(Strictness.STRICT);
            element = JSON.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("trailing data after the JSON object");
            }
        } catch (IOException | JsonParseException e) {
            throw new IllegalArgumentException("invalid JSON (" + e.getMessage() + ")", e);
        }
        if (!element.isJsonObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonObject obj = element.getAsJsonObject();
        String text = string(obj, "text", null);
        if (text == null) {
            throw new IllegalArgumentException("missing \"text\"");
        }
        return new Document(string(obj, "id", defaultId), text, string(obj, "source", defaultSource));
    }

    private static String string(JsonObject obj, String field, String fallback) {
        JsonElement value = obj.get(field);
        if (value == null || value.isJsonNull()) {
            return fallback;
        }
        if (!value.isJsonPrimitive() || ("text".equals(field) && !((JsonPrimitive) value).isString())) {
            throw new IllegalArgumentException("\"" + field + "\" is not a " + ("text".equals(field) ? "string" : "scalar"));
        }
        return value.getAsString();
    }

    /** File name without directories and without the .gz/.jsonl/.json/.txt extensions. */
    static String stem(String name) {
        String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        return base.replaceFirst("(\\.(jsonl|json|txt|text|md))?(\\.gz)?$", "");
    }
}
