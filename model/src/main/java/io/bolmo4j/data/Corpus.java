package io.bolmo4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A re-readable, lazily streamed collection of {@link Document}s from plain text, Dolma JSONL (optionally
 * gzipped), directories of those, class-path resources or memory.
 *
 * <p>Reading streams one line at a time, so memory stays constant whatever the file size ({@link #shuffled},
 * {@link #epochs} and {@link #windows} are the exceptions: they hold all documents). Each {@link #stream()}
 * opens the files afresh; close it (try-with-resources) if you stop early, otherwise the open file is closed
 * when its documents are exhausted.
 *
 * <p>Malformed JSONL lines (invalid JSON, not an object, no string {@code text}) fail by default with a
 * {@link CorpusException} that names the file and the 1-based line number. A {@link #lenient()} corpus skips
 * them instead and counts them in {@link #skippedLines()}.
 *
 * <p>File types: {@code .jsonl}, {@code .jsonl.gz} and {@code .json.gz} are JSONL; {@code .txt}, {@code .text},
 * {@code .md} (optionally {@code .gz}) are plain text. See {@link #text(Path, boolean)} for the plain-text rule.
 */
public final class Corpus implements Iterable<Document> {
    /** Separator that {@link #windows(long, int)} puts between consecutive documents. */
    public static final String DEFAULT_SEPARATOR = "\n\n";

    private final List<Part> parts;
    private final boolean lenient;
    private final LongAdder skipped = new LongAdder();

    private Corpus(List<Part> parts, boolean lenient) {
        this.parts = List.copyOf(parts);
        this.lenient = lenient;
    }

    /**
     * A file or directory, by type: a directory is read recursively ({@link #directory(Path, boolean)}, whole
     * text files), a JSONL file as JSONL, anything else as one plain-text document per file.
     *
     * @throws CorpusException if the path does not exist
     */
    public static Corpus of(Path path) {
        if (Files.isDirectory(path)) {
            return directory(path, false);
        }
        requireFile(path);
        return isJsonl(path.getFileName().toString()) ? jsonl(path) : text(path, false);
    }

    /** A Dolma-format JSONL file, gzipped or not (detected from its first bytes). */
    public static Corpus jsonl(Path file) {
        requireFile(file);
        return new Corpus(List.of(new JsonlPart(file.toString(), InputOpener.of(file))), false);
    }

    /**
     * A plain UTF-8 text file. With {@code splitOnBlankLines = false} the whole file is one document (id = the
     * path); with {@code true} every block of non-blank lines is a document (id = {@code path#k}). Blank files
     * give no document; the source is the file name without extensions.
     */
    public static Corpus text(Path file, boolean splitOnBlankLines) {
        requireFile(file);
        return new Corpus(List.of(new TextPart(file.toString(), InputOpener.of(file), splitOnBlankLines)), false);
    }

    /**
     * Every JSONL and text file under {@code dir}, recursively, in sorted path order; hidden files (name starting
     * with a dot) and other extensions are ignored. Text file ids are their paths relative to {@code dir}.
     */
    public static Corpus directory(Path dir, boolean splitOnBlankLines) {
        if (!Files.isDirectory(dir)) {
            throw new CorpusException("not a directory: " + dir, null);
        }
        List<Part> parts = new ArrayList<>();
        for (Path file : files(dir)) {
            String rel = dir.relativize(file).toString().replace('\\', '/');
            parts.add(isJsonl(file.getFileName().toString()) ? new JsonlPart(rel, InputOpener.of(file))
                    : new TextPart(rel, InputOpener.of(file), splitOnBlankLines));
        }
        return new Corpus(parts, false);
    }

    /**
     * The files {@link #of(Path)} reads, in its order: the file itself, or the JSONL and text files under a directory
     * (recursively, sorted by path, hidden files and other extensions skipped).
     *
     * @throws CorpusException if the path does not exist or cannot be listed
     */
    public static List<Path> files(Path path) {
        if (!Files.isDirectory(path)) {
            requireFile(path);
            return List.of(path);
        }
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).sorted().filter(f -> {
                String base = f.getFileName().toString();
                return !base.startsWith(".") && (isJsonl(base) || base.toLowerCase(Locale.ROOT).matches(".*\\.(txt|text|md)(\\.gz)?"));
            }).collect(Collectors.toList());
        } catch (IOException e) {
            throw new CorpusException("cannot list " + path + ": " + e.getMessage(), e);
        }
    }

    /** An in-memory corpus over the given documents (copied). */
    public static Corpus ofDocuments(List<Document> documents) {
        List<Document> copy = List.copyOf(documents);
        return new Corpus(List.of((lenient, skipped) -> copy.stream()), false);
    }

    /** The documents of all given corpora, in order; the result is strict unless made {@link #lenient()}. */
    public static Corpus concat(Corpus... corpora) {
        return new Corpus(Arrays.stream(corpora).flatMap(c -> c.parts.stream()).toList(), false);
    }

    /** A JSONL source that is not a file, e.g. a class-path resource; package-private for {@link BuiltinCorpus}. */
    static Corpus jsonl(String name, InputOpener opener) {
        return new Corpus(List.of(new JsonlPart(name, opener)), false);
    }

    /** The same files, but malformed JSONL lines are skipped and counted instead of failing. */
    public Corpus lenient() {
        return new Corpus(parts, true);
    }

    /** Malformed lines skipped by the most recently opened stream so far (always 0 when strict). */
    public long skippedLines() {
        return skipped.sum();
    }

    /** A fresh lazy stream of all documents in order; resets {@link #skippedLines()}. */
    public Stream<Document> stream() {
        skipped.reset();
        PartsIterator it = new PartsIterator();
        return it.stream(it::closeCurrent);
    }

    /**
     * Walks the parts one after another. Not {@code flatMap}: on Java 17 an iterator over a flat-mapped stream
     * buffers each whole inner stream, i.e. a whole file, which would break constant-memory reading.
     */
    private final class PartsIterator extends LazyIterator<Document> {
        private int nextPart;
        private Stream<Document> current;
        private Iterator<Document> docs = Collections.emptyIterator();

        @Override
        protected Document computeNext() {
            while (!docs.hasNext()) {
                closeCurrent();
                if (nextPart == parts.size()) {
                    return null;
                }
                current = parts.get(nextPart++).open(lenient, skipped);
                docs = current.iterator();
            }
            return docs.next();
        }

        void closeCurrent() {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    /** Iterates {@link #stream()}; each file is closed once its documents are exhausted. */
    @Override
    public Iterator<Document> iterator() {
        return stream().iterator();
    }

    /** All documents in a list (reads everything into memory). */
    public List<Document> toList() {
        try (Stream<Document> s = stream()) {
            return s.collect(Collectors.toList());
        }
    }

    /** The texts of the first documents, the last one cut, so that they hold {@code maxChars} characters at most. */
    public List<String> head(long maxChars) {
        List<String> out = new ArrayList<>();
        long used = 0;
        for (Iterator<Document> it = iterator(); it.hasNext() && used < maxChars; ) {
            String t = it.next().text();
            t = t.substring(0, (int) Math.min(t.length(), maxChars - used));
            out.add(t);
            used += t.length();
        }
        return out;
    }

    /**
     * The documents in a deterministic pseudo-random order: the same seed always gives the same order
     * (java.util.Random and Collections.shuffle are specified algorithms), whatever the JVM.
     */
    public Corpus shuffled(long seed) {
        return ofDocuments(permute(toList(), seed, 0));
    }

    /**
     * An endless stream of documents: epoch 0 is {@link #shuffled(long) shuffled(seed)}, each later epoch a new
     * deterministic permutation.
     *
     * @throws IllegalStateException if the corpus has no documents
     */
    public Iterator<Document> epochs(long seed) {
        return cycle(toList(), seed);
    }

    private static Iterator<Document> cycle(List<Document> docs, long seed) {
        if (docs.isEmpty()) {
            throw new IllegalStateException("corpus has no documents");
        }
        return new LazyIterator<>() {
            private int epoch = -1;
            private Iterator<Document> current = Collections.emptyIterator();

            @Override
            protected Document computeNext() {
                if (!current.hasNext()) {
                    current = permute(docs, seed, ++epoch).iterator();
                }
                return current.next();
            }
        };
    }

    /** {@link #windows(long, int, byte[])} with {@link #DEFAULT_SEPARATOR} between documents. */
    public Iterator<byte[]> windows(long seed, int bytesPerWindow) {
        return windows(seed, bytesPerWindow, DEFAULT_SEPARATOR.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An endless deterministic stream of training windows of exactly {@code bytesPerWindow} bytes: the UTF-8 bytes
     * of the documents of {@link #epochs(long) epochs(seed)}, each followed by {@code separator}, cut into
     * consecutive windows (a window may span documents and epochs; no byte is dropped or repeated).
     *
     * @throws IllegalArgumentException if {@code bytesPerWindow < 1}
     * @throws IllegalStateException    if the corpus and separator hold no bytes at all
     */
    public Iterator<byte[]> windows(long seed, int bytesPerWindow, byte[] separator) {
        if (bytesPerWindow < 1) {
            throw new IllegalArgumentException("bytesPerWindow must be >= 1, got " + bytesPerWindow);
        }
        byte[] sep = Objects.requireNonNull(separator, "separator").clone();
        List<Document> all = toList();
        if (sep.length == 0 && all.stream().allMatch(d -> d.text().isEmpty())) {
            throw new IllegalStateException("corpus has no bytes");
        }
        Iterator<Document> docs = cycle(all, seed);
        return new LazyIterator<>() {
            private byte[] chunk = new byte[0];
            private int pos;

            @Override
            protected byte[] computeNext() {
                byte[] window = new byte[bytesPerWindow];
                int filled = 0;
                while (filled < bytesPerWindow) {
                    if (pos == chunk.length) {
                        chunk = withSeparator(docs.next().text().getBytes(StandardCharsets.UTF_8), sep);
                        pos = 0;
                        continue;
                    }
                    int n = Math.min(bytesPerWindow - filled, chunk.length - pos);
                    System.arraycopy(chunk, pos, window, filled, n);
                    filled += n;
                    pos += n;
                }
                return window;
            }
        };
    }

    private static byte[] withSeparator(byte[] text, byte[] sep) {
        byte[] out = Arrays.copyOf(text, text.length + sep.length);
        System.arraycopy(sep, 0, out, text.length, sep.length);
        return out;
    }

    private static <T> List<T> permute(List<T> items, long seed, int epoch) {
        List<T> copy = new ArrayList<>(items);
        // Epoch 0 uses the seed itself so that epochs(seed) starts with shuffled(seed).
        Collections.shuffle(copy, new Random(seed + 0x9E3779B97F4A7C15L * epoch));
        return copy;
    }

    private static boolean isJsonl(String name) {
        return name.toLowerCase(Locale.ROOT).matches(".*\\.(jsonl|jsonl\\.gz|json\\.gz)");
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CorpusException((Files.exists(file) ? "not a regular file: " : "no such file: ") + file, null);
        }
    }
}
