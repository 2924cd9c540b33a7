package io.bolmo4j.olmo;

import io.bolmo4j.io.AtomicFiles;
import io.bolmo4j.io.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The checkpoints bolmo4j ships: {@code tiny-olmo} (an OLMo 2 pretrained by {@code bolmo4j pretrain} on the built-in
 * corpus), {@code tiny-olmo-instruct} (its instruction-tuned variant) and {@code tiny-qwen3} (a Qwen 3 pretrained the
 * same way, with Qwen's special tokens and a ChatML template). Found, in order, under the folder named by
 * {@code -Dbolmo4j.models} / {@code BOLMO4J_MODELS}, under a {@code models/} folder at or above the working directory,
 * or inside the jar (unpacked once into {@code ~/.cache/bolmo4j/models}).
 */
public final class BuiltinModels {
    public static final String TINY = "tiny-olmo";
    public static final String TINY_INSTRUCT = "tiny-olmo-instruct";
    public static final String TINY_QWEN3 = "tiny-qwen3";
    private static final List<String> NAMES = List.of(TINY, TINY_INSTRUCT, TINY_QWEN3);
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");
    /** Files a built-in model may have beside {@link #FILES}. */
    private static final List<String> OPTIONAL_FILES = List.of("tokenizer_config.json");
    private static final List<String> ALL_FILES = Stream.concat(FILES.stream(), OPTIONAL_FILES.stream()).toList();
    /** The folders unpacked from the jar in this JVM, by name. */
    private static final Map<String, Path> UNPACKED = new HashMap<>();

    private BuiltinModels() {}

    /** True for the names of shipped models. */
    public static boolean isBuiltin(String name) {
        return NAMES.contains(name);
    }

    /** The directory of a shipped model. */
    public static synchronized Path path(String name) {
        if (!isBuiltin(name)) {
            throw new IllegalArgumentException("no built-in model '" + name + "' (built in: " + NAMES + ")");
        }
        String configured = System.getProperty("bolmo4j.models", System.getenv("BOLMO4J_MODELS"));
        if (configured != null && Files.exists(Path.of(configured, name, "config.json"))) {
            return Path.of(configured, name);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("models").resolve(name).resolve("config.json"))) {
                return p.resolve("models").resolve(name);
            }
        }
        return UNPACKED.computeIfAbsent(name, BuiltinModels::extract);
    }

    /**
     * Unpacks a shipped model from the jar once into {@code ~/.cache/bolmo4j/models/NAME-HASH} (HASH: of its files, so
     * another build's model never mixes in), written beside and renamed when complete; every later run reuses it. A
     * machine without a writable home gets a temp folder that is removed when the JVM exits.
     */
    private static Path extract(String name) {
        return unpack(name, Path.of(System.getProperty("user.home"), ".cache", "bolmo4j", "models"));
    }

    /** {@link #extract} into {@code cache}. */
    static Path unpack(String name, Path cache) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        MessageDigest sha = Sha256.digest();
        for (String f : ALL_FILES) {
            try (InputStream in = BuiltinModels.class.getResourceAsStream("/models/" + name + "/" + f)) {
                if (in == null && OPTIONAL_FILES.contains(f)) {
                    continue;
                }
                if (in == null) {
                    throw new IllegalStateException("built-in model '" + name + "' is not on the class path (missing " + f
                            + "); run from the repository or set -Dbolmo4j.models");
                }
                byte[] bytes = in.readAllBytes();
                sha.update(f.getBytes(StandardCharsets.UTF_8));
                sha.update(bytes);
                files.put(f, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read built-in model " + name + ": " + e.getMessage(), e);
            }
        }
        String id = name + "-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        Path cached = cache.resolve(id);
        if (Files.exists(cached.resolve(FILES.get(FILES.size() - 1)))) {
            return cached;
        }
        try {
            Path tmp = AtomicFiles.tempDirFor(cached);
            try {
                write(tmp, files);
                Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another run unpacked it first: the same bytes
            } finally {
                AtomicFiles.deleteQuietly(tmp);
            }
            return cached;
        } catch (IOException | SecurityException e) {
            return extractForThisRun(name, files);
        }
    }

    private static Path extractForThisRun(String name, Map<String, byte[]> files) {
        try {
            Path dir = Files.createTempDirectory("bolmo4j-" + name);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> AtomicFiles.deleteQuietly(dir)));
            write(dir, files);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack built-in model " + name + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path dir, Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
    }
}
