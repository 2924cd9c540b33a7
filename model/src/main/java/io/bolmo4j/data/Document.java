package io.bolmo4j.data;

import java.util.Objects;

/**
 * One training or evaluation document in the Dolma layout: a stable {@code id}, the {@code text}, and the
 * {@code source} (corpus or sub-corpus name) it came from.
 *
 * @param id     identifier, unique within its corpus
 * @param text   the document text (may be empty)
 * @param source name of the source corpus, e.g. {@code "kjv"}
 */
public record Document(String id, String text, String source) {
    /** Rejects null fields. */
    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
    }
}
