package io.bolmo4j.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face checkpoint directory: {@code config.json} plus {@code model.safetensors}, or shards listed in
 * {@code model.safetensors.index.json}. Tensors are read by name regardless of the file they live in. As in
 * {@code transformers}, a single {@code model.safetensors} wins over an index beside it; shards named by an index must
 * lie inside the directory.
 */
public final class HfCheckpoint implements AutoCloseable {
    public static final String CONFIG = "config.json";
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final JsonObject config;
    private final Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
    private final List<SafetensorsFile> files = new ArrayList<>();

    private HfCheckpoint(Path dir) {
        this.dir = dir;
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + ": not a checkpoint directory");
        }
        requireComplete(dir);
        this.config = readJson(dir.resolve(CONFIG));
        try {
            if (Files.exists(dir.resolve(SINGLE))) {
                add(SafetensorsFile.open(dir.resolve(SINGLE)));
            } else if (Files.exists(dir.resolve(INDEX))) {
                openShards();
            } else {
                throw new CheckpointException(dir + ": neither " + SINGLE + " nor " + INDEX + " found");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Refuses a folder that holds weights but no {@code config.json}: what a save stopped half way leaves, since
     * {@link #save} writes {@code config.json} last. Loaders call it before reading anything else of the folder.
     */
    public static void requireComplete(Path dir) {
        if (!Files.exists(dir.resolve(CONFIG)) && (Files.exists(dir.resolve(SINGLE)) || Files.exists(dir.resolve(INDEX)))) {
            throw new CheckpointException(dir + ": weights but no " + CONFIG + ": a save that did not finish (" + CONFIG
                    + " is written last); save it again, or delete the folder");
        }
    }

    /** Opens a directory: reads config.json and validates every safetensors header. */
    public static HfCheckpoint open(Path dir) {
        return new HfCheckpoint(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The parsed {@code config.json}. */
    public JsonObject config() {
        return config.deepCopy();
    }

    /** The safetensors files in use. */
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    /** All tensor names. */
    public List<String> names() {
        return new ArrayList<>(owner.keySet());
    }

    public boolean contains(String name) {
        return owner.containsKey(name);
    }

    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    /** Reads bytes of a tensor's data from {@code offset} on into {@code dst}, without mapping (see {@link SafetensorsFile#read}). */
    public void read(String name, long offset, ByteBuffer dst) {
        file(name).read(name, offset, dst);
    }

    /** A read-only little-endian mapping of a tensor's bytes (see {@link SafetensorsFile#map}). */
    public ByteBuffer map(String name) {
        return file(name).map(name);
    }

    /** A tensor's values as fp32. */
    public float[] readFloats(String name) {
        return file(name).readFloats(name);
    }

    /** A model weight's values as fp32, checking its shape first. */
    public float[] readFloats(String name, long... expectedShape) {
        info(name, expectedShape);
        return file(name).readFloats(name);
    }

    /** A tensor's header entry, checking its shape. */
    public TensorInfo info(String name, long... expectedShape) {
        SafetensorsFile f = file(name);
        long[] actual = f.info(name).shape();
        if (!Arrays.equals(actual, expectedShape)) {
            throw new CheckpointException(f.path() + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return f.info(name);
    }

    /** The file holding tensor {@code name} (named in errors). */
    public Path fileOf(String name) {
        return file(name).path();
    }

    /**
     * Fails when the files hold tensors that a model built from {@code config.json} would not read (e.g. more layers
     * than {@code num_hidden_layers}): the config and the weights disagree, and ignoring weights gives wrong outputs.
     */
    public void requireNoneUnused(Collection<String> used) {
        List<String> unused = owner.keySet().stream().filter(n -> !used.contains(n)).sorted().toList();
        if (!unused.isEmpty()) {
            throw new CheckpointException(dir + ": the weights hold " + unused.size() + " tensor(s) that config.json does"
                    + " not describe, e.g. '" + unused.get(0) + "': config.json does not match the weights");
        }
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) {
            throw new CheckpointException(dir + ": missing tensor '" + name + "'");
        }
        return f;
    }

    private void openShards() {
        Path index = dir.resolve(INDEX);
        JsonElement map = readJson(index).get("weight_map");
        if (map == null || !map.isJsonObject()) {
            throw new CheckpointException(index + ": no 'weight_map' object");
        }
        Map<String, SafetensorsFile> byFile = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : map.getAsJsonObject().entrySet()) {
            Path p = shardPath(index, e.getKey(), e.getValue());
            SafetensorsFile f = byFile.computeIfAbsent(e.getValue().getAsString(), s -> {
                SafetensorsFile opened = SafetensorsFile.open(p);
                files.add(opened);
                return opened;
            });
            if (!f.contains(e.getKey())) {
                throw new CheckpointException(index + ": tensor '" + e.getKey() + "' is not in " + f.path());
            }
            owner.put(e.getKey(), f);
        }
    }

    /** The file an index entry names; it must be an existing file inside the directory. */
    private Path shardPath(Path index, String tensor, JsonElement value) {
        String where = index + ": tensor '" + tensor + "' is mapped to " + value;
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw new CheckpointException(where + ", not a file name");
        }
        // Lexical confinement only: symlinked shards (the Hugging Face cache's layout) stay allowed.
        Path home = dir.toAbsolutePath().normalize();
        Path p;
        try {
            p = home.resolve(value.getAsString()).normalize();
        } catch (InvalidPathException e) {
            throw new CheckpointException(where + ", not a valid file name", e);
        }
        if (!p.startsWith(home) || p.equals(home)) {
            throw new CheckpointException(where + ", which is not a file inside " + dir);
        }
        if (!Files.isRegularFile(p)) {
            throw new CheckpointException(where + ", which does not exist");
        }
        return p;
    }

    private void add(SafetensorsFile f) {
        files.add(f);
        for (String n : f.names()) {
            owner.put(n, f);
        }
    }

    private static JsonObject readJson(Path p) {
        if (!Files.exists(p)) {
            throw new CheckpointException(p + ": file not found");
        }
        if (!Files.isRegularFile(p)) { // a named pipe would block the read forever
            throw new CheckpointException(p + ": not a regular file");
        }
        try {
            JsonElement e = JsonParser.parseString(Files.readString(p, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new CheckpointException(p + ": not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (IOException e) {
            throw new CheckpointException(p + ": cannot read: " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new CheckpointException(p + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the tensors (one file, or shards of at most {@code maxShardBytes} with an index), extra files such as
     * {@code tokenizer.json}, and {@code config.json} last. Every file is written atomically.
     */
    public static void save(Path dir, JsonObject config, Map<String, HostTensor> tensors, long maxShardBytes,
                            Map<String, byte[]> extraFiles) {
        // config.json marks a complete checkpoint: gone while the rest is written, back last, so a save stopped half
        // way never leaves a folder that reads as a model (nor one that mixes an old save with a new one)
        try {
            Files.deleteIfExists(dir.resolve(CONFIG));
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot replace " + CONFIG + ": " + e.getMessage(), e);
        }
        try (CheckpointWriter w = new CheckpointWriter(dir, HostTensor.specs(tensors), maxShardBytes)) {
            HostTensor.stream(tensors.values(), w::write);
            w.finish();
        }
        try {
            for (Map.Entry<String, byte[]> e : extraFiles.entrySet()) {
                writeAtomically(dir.resolve(e.getKey()), e.getValue());
            }
            writeAtomically(dir.resolve(CONFIG), pretty(config));
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    /** A JSON file's bytes as the Hugging Face tools write them: indented, nulls kept, '<' and '>' as themselves, a final newline. */
    public static byte[] pretty(JsonObject o) {
        return (new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues().disableHtmlEscaping()
                .create().toJson(o) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Writes bytes to a temp file beside {@code target}, then renames it over the target. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = AtomicFiles.tempFor(target);
        try {
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
