package io.bolmo4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Tokens being produced: ids, original byte spans, and (when a post-processor reads them) the token strings. */
final class Tokens {
    final IntList ids;
    final IntList starts;
    final IntList ends;
    /** Token strings as HF's post-processors see them; null when none is needed. */
    final List<String> values;
    /** The (well-formed) input the offsets index into. */
    final String text;
    private byte[] utf8;

    Tokens(String text, int capacity, boolean withValues) {
        this.text = text;
        ids = new IntList(capacity);
        starts = new IntList(capacity);
        ends = new IntList(capacity);
        values = withValues ? new ArrayList<>(capacity) : null;
    }

    void add(int id, int start, int end, String value) {
        ids.add(id);
        starts.add(start);
        ends.add(end);
        if (values != null) {
            values.add(value);
        }
    }

    /** @return the input's UTF-8 bytes */
    byte[] utf8() {
        if (utf8 == null) {
            utf8 = text.getBytes(StandardCharsets.UTF_8);
        }
        return utf8;
    }

    int size() {
        return ids.size();
    }

    /** Appends all of {@code other}. */
    void addAll(Tokens other) {
        for (int i = 0; i < other.size(); i++) {
            add(other.ids.get(i), other.starts.get(i), other.ends.get(i),
                    other.values == null ? null : other.values.get(i));
        }
    }

    Encoding toEncoding() {
        return new Encoding(ids.toArray(), starts.toArray(), ends.toArray());
    }
}
