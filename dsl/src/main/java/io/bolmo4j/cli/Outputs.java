package io.bolmo4j.cli;

import io.bolmo4j.io.OutputLock;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a command may write, for every command that writes (byteify, stage2, pretrain, finetune, logits, demo, merge,
 * export-run, import-run): an output never replaces an input (a model, a teacher, a text) nor goes inside one, is
 * written by one run at a time, and replaces existing files only with {@code --overwrite}. Commands check before any
 * work starts, so a refused run leaves nothing behind; the files themselves are written atomically (a temp file
 * renamed over the target).
 */
final class Outputs {
    @Option(names = "--overwrite", description = "replace what --out already holds (an input is never replaced)")
    boolean overwrite;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The outputs this process's command claimed; {@link Main#run} lets go of them when the command ends. */
    private static final List<OutputLock> CLAIMED = new ArrayList<>();

    /** Something a command reads, with the name the user gave it by ({@code --teacher}, {@code DIR}); path may be null. */
    record Input(String name, Path path) {}

    /**
     * Checks an output folder. It may be new, empty, or hold only {@code resumable} entries (what an interrupted run
     * of the same command leaves and continues from); anything else needs {@code --overwrite}. It is never a file
     * nor one of the inputs, nor inside one. Hidden files (temp files of an interrupted atomic write, removed by the
     * claim) are never replaced and so ignored.
     */
    void folder(Path out, List<String> resumable, Input... inputs) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is an existing file; give a folder");
        }
        claim(spec, out, inputs);
        if (overwrite || !Files.isDirectory(out)) {
            return;
        }
        List<String> present;
        try (Stream<Path> s = Files.list(out)) {
            present = s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && !resumable.contains(n))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list --out " + out + ": " + e.getMessage(), e);
        }
        if (!present.isEmpty()) {
            throw new IllegalArgumentException("--out " + out + " already holds " + String.join(", ", present.subList(0,
                    Math.min(3, present.size()))) + (present.size() > 3 ? " and " + (present.size() - 3) + " more" : "")
                    + ": choose a new or empty folder, or pass --overwrite to replace its files");
        }
    }

    /** Checks an output file: new, or existing with {@code --overwrite}. Never a folder, an input, or inside an input. */
    void file(Path out, Input... inputs) {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder; give a file name");
        }
        claim(spec, out, inputs);
        if (Files.exists(out) && !overwrite) {
            throw new IllegalArgumentException("--out " + out + " exists: pass --overwrite to replace it");
        }
    }

    /**
     * Claims {@code out} for this command ({@link OutputLock}: a second run with the same --out is refused while this
     * one runs) after checking that it is none of the inputs and inside none of them.
     */
    static void claim(CommandSpec spec, Path out, Input... inputs) {
        Path where = resolved(out);
        for (Input in : inputs) {
            if (in.path() == null || !Files.exists(in.path())) {
                continue;
            }
            Path input = resolved(in.path());
            if (where.equals(input)) {
                throw new IllegalArgumentException("--out " + out + " is the input " + in.name()
                        + "; an input is never replaced: write to another " + (Files.isDirectory(input) ? "folder" : "file"));
            }
            if (where.startsWith(input)) {
                throw new IllegalArgumentException("--out " + out + (Files.exists(out) ? " is a file of the input "
                        : " is inside the input ") + in.name() + " (" + in.path() + "); an input folder is never written to:"
                        + " write somewhere else");
            }
        }
        synchronized (CLAIMED) {
            try {
                CLAIMED.add(OutputLock.acquire(out, "bolmo4j " + spec.name()));
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException("--out " + e.getMessage(), e);
            }
        }
    }

    /** Lets go of every output claimed by commands of this process. */
    static void releaseAll() {
        synchronized (CLAIMED) {
            CLAIMED.forEach(OutputLock::close);
            CLAIMED.clear();
        }
    }

    /** The real path of {@code p}: of its nearest existing folder above, followed by the rest, when it does not exist. */
    private static Path resolved(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + p + ": " + e.getMessage(), e);
        }
    }
}
