package io.bolmo4j.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The real, freely licensed corpus committed under {@code datasets/corpus} (see {@code datasets/README.md}):
 * State of the Union addresses, Moby Dick, the King James Bible and JDK {@code java.util} sources, with fixed
 * whole-document validation and test splits. Located as described in {@link DatasetsLocator}: system property
 * {@code bolmo4j.datasets} or env {@code BOLMO4J_DATASETS}, else the class path, else a {@code datasets/}
 * folder above the working directory.
 */
public final class BuiltinCorpus {
    /** The four sources; {@link #id()} is the file stem and the documents' {@code source} field. */
    public enum Source {
        /** US State of the Union addresses 1790-2021. */
        SOTU,
        /** Moby Dick, one document per chapter. */
        MOBY,
        /** King James Bible, one document per chapter. */
        KJV,
        /** JDK 17 {@code java.util} sources without license headers. */
        JAVA;

        /** Lower-case name used in file names and {@link Document#source()}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The fixed splits; {@link #id()} is the folder name under {@code datasets/corpus}. */
    public enum Split {
        /** Training documents. */
        TRAIN,
        /** Held-out documents for model selection. */
        VALIDATION,
        /** Held-out documents for final figures. */
        TEST;

        /** Lower-case folder name. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One row of {@code datasets/corpus/manifest.tsv}, written by the build script.
     *
     * @param split     the split
     * @param source    the source
     * @param documents number of documents
     * @param textBytes total UTF-8 bytes of the documents' text
     */
    public record Entry(Split split, Source source, int documents, long textBytes) {
    }

    private BuiltinCorpus() {
    }

    /** Training documents of the given sources, all of them in declaration order when none is given (see {@link Corpus#shuffled}). */
    public static Corpus train(Source... sources) {
        return get(Split.TRAIN, orAll(sources));
    }

    /** Validation documents of the given sources, all of them when none is given. */
    public static Corpus validation(Source... sources) {
        return get(Split.VALIDATION, orAll(sources));
    }

    /** Test documents of the given sources, all of them when none is given. */
    public static Corpus test(Source... sources) {
        return get(Split.TEST, orAll(sources));
    }

    private static Source[] orAll(Source... sources) {
        return sources.length == 0 ? Source.values() : sources;
    }

    /**
     * One split of the given sources, concatenated in the order given.
     *
     * @throws IllegalArgumentException if no source is given
     * @throws CorpusException          if the files cannot be found
     */
    public static Corpus get(Split split, Source... sources) {
        if (sources.length == 0) {
            throw new IllegalArgumentException("at least one source is required");
        }
        return Corpus.concat(Arrays.stream(sources).map(source -> {
            String rel = "corpus/" + split.id() + "/" + source.id() + ".jsonl.gz";
            return Corpus.jsonl("datasets/" + rel, DatasetsLocator.open(rel));
        }).toArray(Corpus[]::new));
    }

    /** The build script's manifest: documents and text bytes per split and source. */
    public static List<Entry> manifest() {
        List<String> lines = DatasetsLocator.lines("corpus/manifest.tsv");
        return lines.subList(1, lines.size()).stream().map(line -> line.split("\t"))
                .map(f -> new Entry(Split.valueOf(f[0].toUpperCase(Locale.ROOT)), Source.valueOf(f[1].toUpperCase(Locale.ROOT)),
                        Integer.parseInt(f[2]), Long.parseLong(f[3])))
                .toList();
    }

    /**
     * The held-out text every evaluation uses: about {@code chars} characters of the validation split, an equal share
     * from the start of each source (documents in order), so that small budgets still see every kind of text.
     */
    public static List<String> heldOut(long chars) {
        if (chars < 1) {
            throw new IllegalArgumentException("held-out size must be >= 1 character, got " + chars);
        }
        return sources().stream().flatMap(source -> validation(source).head(chars / Source.values().length).stream()).toList();
    }

    /** All sources, for convenience from Kotlin and the DSL. */
    public static List<Source> sources() {
        return Arrays.asList(Source.values());
    }
}
