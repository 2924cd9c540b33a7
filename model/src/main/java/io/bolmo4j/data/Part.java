package io.bolmo4j.data;

import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/** One readable piece of a {@link Corpus}: a file, a class-path resource or an in-memory list. */
interface Part {
    /**
     * Opens a fresh lazy stream of this part's documents; closing the stream closes the underlying file.
     *
     * @param lenient whether malformed JSONL lines are skipped (counted in {@code skipped}) instead of failing
     * @param skipped counter of skipped lines
     */
    Stream<Document> open(boolean lenient, LongAdder skipped);
}
