package io.bolmo4j.data;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds files of the repository's {@code datasets/} folder: first the folder named by the system property
 * {@value #PROPERTY} or the environment variable {@value #ENV} (which may also name its {@code corpus}
 * subfolder), then class-path resources {@code /datasets/...}, then a {@code datasets/} folder in the working
 * directory or one of its parents.
 */
final class DatasetsLocator {
    static final String PROPERTY = "bolmo4j.datasets";
    static final String ENV = "BOLMO4J_DATASETS";

    private DatasetsLocator() {
    }

    /**
     * An opener for {@code datasets/<relative>}.
     *
     * @throws CorpusException if it cannot be found (the message lists where it looked)
     */
    static InputOpener open(String relative) {
        String configured = System.getProperty(PROPERTY, System.getenv(ENV));
        if (configured != null && !configured.isBlank()) {
            Path root = Path.of(configured);
            if (Files.isRegularFile(root.resolve("manifest.tsv")) && root.getParent() != null) {
                root = root.getParent();   // pointed at datasets/corpus
            }
            Path file = root.resolve(relative);
            if (!Files.isRegularFile(file)) {
                throw new CorpusException(file + " not found (" + PROPERTY + "/" + ENV + " = " + configured + ")", null);
            }
            return InputOpener.of(file);
        }
        String resource = "/datasets/" + relative;
        if (DatasetsLocator.class.getResource(resource) != null) {
            return () -> {
                InputStream in = DatasetsLocator.class.getResourceAsStream(resource);
                if (in == null) {
                    throw new FileNotFoundException(resource);
                }
                return in;
            };
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("datasets").resolve(relative);
            if (Files.isRegularFile(file)) {
                return InputOpener.of(file);
            }
        }
        throw new CorpusException("datasets/" + relative + " not found: set -D" + PROPERTY + " or " + ENV
                + " to the datasets folder, put it on the class path, or run inside the repository", null);
    }

    /** The lines of a (possibly gzipped) text file under datasets/, without blank lines and {@code #} comments. */
    static List<String> lines(String relative) {
        List<String> out = new ArrayList<>();
        try (BufferedReader reader = open(relative).openReader("datasets/" + relative)) {
            String line;
            while ((line = InputOpener.readLine(reader, relative)) != null) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
