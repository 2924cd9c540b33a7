package io.bolmo4j.kernel.magic;

import io.bolmo4j.kernel.exec.JShellEvaluator.Completion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Argument completion shared by magics: file paths and words, always of the last argument. */
final class Completers {
    private Completers() {}

    /** Start of the last whitespace-separated argument. */
    static int lastArgument(String args) {
        return Math.max(args.lastIndexOf(' '), args.lastIndexOf('\t')) + 1;
    }

    /** The last argument as a file path: the entries of its folder that start with its name (folders end in '/'). */
    static Completion path(String args) {
        int start = lastArgument(args);
        String token = args.substring(start);
        int slash = token.lastIndexOf('/');
        String folder = token.substring(0, slash + 1);
        String prefix = token.substring(slash + 1);
        return new Completion(children(Path.of(folder.isEmpty() ? "." : folder), prefix, p -> true).stream()
                .map(n -> folder + n).toList(), start, args.length());
    }

    /** Names in {@code dir} starting with {@code prefix} whose paths pass {@code keep}, sorted; folders end in '/'. */
    static List<String> children(Path dir, String prefix, Predicate<Path> keep) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix) && keep.test(p))
                    .filter(p -> prefix.startsWith(".") || !p.getFileName().toString().startsWith("."))
                    .map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The last argument completed from {@code words}. */
    static Completion words(String args, Collection<String> words) {
        int start = lastArgument(args);
        String prefix = args.substring(start);
        return new Completion(words.stream().filter(w -> w.startsWith(prefix)).sorted().toList(), start, args.length());
    }
}
