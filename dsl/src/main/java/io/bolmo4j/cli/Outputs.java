package io.bolmo4j.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a command may write, for every command that writes (byteify, stage2, pretrain, finetune, logits, demo): an
 * output never replaces an input (a model, a teacher, a text), and replaces existing files only with
 * {@code --overwrite}. Commands check before any work starts, so a refused run leaves nothing behind; the files
 * themselves are written atomically (a temp file renamed over the target).
 */
final class Outputs {
    @Option(names = "--overwrite", description = "replace what --out already holds (an input is never replaced)")
    boolean overwrite;

    /** Something a command reads, with the name the user gave it by ({@code --teacher}, {@code DIR}); path may be null. */
    record Input(String name, Path path) {}

    /**
     * Checks an output folder. It may be new, empty, or hold only {@code resumable} entries (what an interrupted run
     * of the same command leaves and continues from); anything else needs {@code --overwrite}. It is never a file
     * nor one of the inputs. Hidden files (temp files of an interrupted atomic write) are never replaced and so ignored.
     */
    void folder(Path out, List<String> resumable, Input... inputs) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is an existing file; give a folder");
        }
        for (Input in : inputs) {
            if (in.path() != null && same(out, in.path())) {
                throw new IllegalArgumentException("--out " + out + " is the input " + in.name()
                        + "; an input is never replaced: write to another folder");
            }
        }
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

    /**
     * Checks an output file: new, or existing with {@code --overwrite}. Never a folder, an input file, or an existing
     * file inside an input folder.
     */
    void file(Path out, Input... inputs) {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder; give a file name");
        }
        if (!Files.exists(out)) {
            return;
        }
        for (Input in : inputs) {
            if (in.path() != null && Files.exists(in.path()) && real(out).startsWith(real(in.path()))) {
                throw new IllegalArgumentException("--out " + out + (Files.isDirectory(in.path()) ? " is a file of the input "
                        : " is the input ") + in.name() + "; an input is never replaced: write to another file");
            }
        }
        if (!overwrite) {
            throw new IllegalArgumentException("--out " + out + " exists: pass --overwrite to replace it");
        }
    }

    private static boolean same(Path a, Path b) {
        if (Files.exists(a) && Files.exists(b)) {
            return real(a).equals(real(b));
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + p + ": " + e.getMessage(), e);
        }
    }
}
