package io.bolmo4j.kernel.magic;

import io.bolmo4j.kernel.deps.MavenResolver;
import io.bolmo4j.kernel.deps.Resolution;
import io.bolmo4j.kernel.deps.SessionClasspath;
import io.bolmo4j.kernel.exec.JShellEvaluator;
import io.bolmo4j.kernel.exec.JShellEvaluator.Completion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Libraries from a cell, as in IJava and JJava: {@code %maven G:A:V ...}, {@code %mavenRepo ID URL},
 * {@code %loadFromPOM FILE} (and {@code %%loadFromPOM} with the POM, or just its {@code <dependencies>}, as the cell),
 * {@code %jars GLOB ...}. Maven artifacts come with their runtime dependencies through Maven's own resolver.
 */
public final class DependencyMagics {
    private static final Pattern GLOB = Pattern.compile("[*?\\[{]");

    private DependencyMagics() {}

    /**
     * Registers the magics on {@code magics}; {@code resolver} is created on first use (it reads settings.xml).
     */
    public static Magics install(Magics magics, SessionClasspath classpath, Supplier<MavenResolver> resolver) {
        magics.line("maven", (args, eval) -> {
            List<String> coordinates = Arrays.stream(args.split("[\\s,]+")).filter(s -> !s.isBlank()).toList();
            if (coordinates.isEmpty()) {
                throw new Magics.MagicException("%maven: give one or more groupId:artifactId:version");
            }
            return add("%maven", classpath, () -> resolver.get().resolve(coordinates), eval);
        }, args -> coordinates(resolver.get().localRepository(), args));
        magics.line("mavenRepo", (args, eval) -> {
            String[] parts = args.strip().split("\\s+");
            if (parts.length != 2 || !parts[1].matches("(?i)(https?|file)://.+")) {
                throw new Magics.MagicException("%mavenRepo: expected an id and an http(s) or file URL, e.g. %mavenRepo jitpack https://jitpack.io");
            }
            resolver.get().addRepository(parts[0], parts[1]);
            System.out.println("%mavenRepo: " + parts[0] + " (" + parts[1] + ") is searched after "
                    + resolver.get().repositories().get(0).getId() + (resolver.get().offline() ? " (offline mode: the local repository only)" : ""));
            return JShellEvaluator.NO_VALUE;
        });
        magics.line("loadFromPOM", (args, eval) -> {
            Path pom = Path.of(BuiltinMagics.unquote(args));
            return add("%loadFromPOM", classpath, () -> resolver.get().resolvePom(pom), eval);
        }, Completers::path);
        magics.cell("loadFromPOM", (args, body, eval) -> {
            Path pom = cellPom(body);
            try {
                return add("%%loadFromPOM", classpath, () -> resolver.get().resolvePom(pom), eval);
            } finally {
                deleteQuietly(pom);
            }
        });
        magics.line("jars", (args, eval) -> {
            List<Path> jars = new ArrayList<>();
            for (String pattern : args.strip().split("\\s+")) {
                if (!pattern.isBlank()) {
                    jars.addAll(glob(BuiltinMagics.unquote(pattern)));
                }
            }
            if (jars.isEmpty()) {
                throw new Magics.MagicException("%jars: give one or more jar files or globs, e.g. %jars lib/*.jar");
            }
            SessionClasspath.Added added = classpath.add(jars);
            added.imports().forEach(eval::eval);
            System.out.println("%jars: added " + jars.size() + " jar" + (jars.size() == 1 ? "" : "s") + BuiltinMagics.extras(added));
            return JShellEvaluator.NO_VALUE;
        }, Completers::path);
        return magics;
    }

    private static Object add(String magic, SessionClasspath classpath, Supplier<Resolution> resolve, Magics.Evaluator eval) {
        Resolution resolution;
        try {
            resolution = resolve.get();
        } catch (MavenResolver.ResolutionException e) {
            throw new Magics.MagicException(magic + ": " + e.getMessage());
        }
        SessionClasspath.Outcome outcome = classpath.add(resolution, magic);
        outcome.loaded().imports().forEach(eval::eval);
        System.out.println(magic + ": " + (outcome.added().isEmpty() ? "nothing new to add"
                : "added " + outcome.added().size() + " jar" + (outcome.added().size() == 1 ? "" : "s") + BuiltinMagics.extras(outcome.loaded())
                        + ": " + join(outcome.added())));
        if (!outcome.present().isEmpty()) {
            System.out.println("already on the class path: " + join(outcome.present()));
        }
        outcome.conflicts().forEach(c -> System.out.println("conflict: " + c));
        return JShellEvaluator.NO_VALUE;
    }

    /**
     * The last argument of {@code %maven} completed from what the local repository holds: group ids segment by
     * segment, then {@code group:} artifact ids, then {@code group:artifact:} versions.
     */
    static Completion coordinates(Path localRepository, String args) {
        int start = Completers.lastArgument(args);
        String token = args.substring(start);
        String[] parts = token.split(":", -1);
        List<String> matches;
        if (parts.length == 1) {
            int dot = token.lastIndexOf('.');
            String group = token.substring(0, dot + 1);
            matches = Completers.children(localRepository.resolve(group.replace('.', '/')), token.substring(dot + 1), Files::isDirectory)
                    .stream().map(n -> group + n.substring(0, n.length() - 1)).toList();
        } else if (parts.length == 2) {
            Path groupDir = localRepository.resolve(parts[0].replace('.', '/'));
            matches = Completers.children(groupDir, parts[1], DependencyMagics::hasVersions).stream()
                    .map(n -> parts[0] + ":" + n.substring(0, n.length() - 1) + ":").toList();
        } else if (parts.length == 3) {
            Path artifactDir = localRepository.resolve(parts[0].replace('.', '/')).resolve(parts[1]);
            matches = Completers.children(artifactDir, parts[2], DependencyMagics::isVersion).stream()
                    .map(n -> parts[0] + ":" + parts[1] + ":" + n.substring(0, n.length() - 1)).toList();
        } else {
            matches = List.of();
        }
        return new Completion(matches, start, args.length());
    }

    /** An artifact folder of a local repository: it has a version folder with a POM. */
    private static boolean hasVersions(Path dir) {
        try (Stream<Path> children = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            return children.anyMatch(DependencyMagics::isVersion);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isVersion(Path dir) {
        try (Stream<Path> files = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".pom"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String join(List<Resolution.Jar> jars) {
        return jars.stream().map(Resolution.Jar::toString).collect(Collectors.joining(", "));
    }

    /** A %%loadFromPOM cell as a POM file: a whole {@code <project>}, or elements of one (dependencies, repositories). */
    static Path cellPom(String body) {
        String xml = body.contains("<project") ? body
                : "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                        + "<groupId>notebook</groupId><artifactId>cell</artifactId><version>0</version>\n" + body + "\n</project>";
        try {
            Path pom = Files.createTempFile("bolmo4j-cell", ".pom.xml");
            Files.writeString(pom, xml);
            return pom;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            p.toFile().deleteOnExit();
        }
    }

    /**
     * The jar files a pattern names: a path, or a glob ({@code *}, {@code **}, {@code ?}, {@code [..]}, {@code {a,b}})
     * relative to the working directory; a pattern that matches no jar is an error.
     */
    static List<Path> glob(String pattern) {
        Path whole = Path.of(pattern).toAbsolutePath().normalize();
        if (!GLOB.matcher(pattern).find()) {
            if (!Files.isRegularFile(whole)) {
                throw new Magics.MagicException("%jars: no such file: " + whole);
            }
            return List.of(whole);
        }
        // walk from the deepest folder without glob characters
        Path base = whole.getRoot();
        for (Path part : whole) {
            if (GLOB.matcher(part.toString()).find()) {
                break;
            }
            base = base.resolve(part);
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + whole);
        int depth = pattern.contains("**") ? Integer.MAX_VALUE : whole.getNameCount() - base.getNameCount();
        List<Path> jars;
        try (Stream<Path> files = Files.isDirectory(base) ? Files.walk(base, depth) : Stream.empty()) {
            jars = files.filter(p -> matcher.matches(p) && Files.isRegularFile(p) && p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new Magics.MagicException("%jars: cannot list " + base + ": " + e.getMessage());
        }
        if (jars.isEmpty()) {
            throw new Magics.MagicException("%jars: no jar matches " + pattern + " (in " + base + ")");
        }
        return jars;
    }
}
