package io.bolmo4j.train;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.AtomicFiles;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.Safetensors;
import io.bolmo4j.io.SafetensorsFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A resumable training checkpoint: parameters and AdamW moments in fp32 safetensors plus a JSON state (step and
 * whatever the trainer needs). Written into a temporary folder that then replaces the old one, so a kill at any
 * moment leaves the previous complete checkpoint. The {@link Trainer} reads the {@link #state} first and loads the
 * weights only once it accepts the checkpoint.
 */
public final class TrainCheckpoint {
    private TrainCheckpoint() {}

    public static void save(Path dir, Params params, AdamW opt, JsonObject state) {
        Path tmp = sibling(dir, ".tmp");
        try {
            AtomicFiles.deleteTree(tmp);
            Files.createDirectories(tmp);
            Map<String, HostTensor> p = new LinkedHashMap<>(), o = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : params.asMap().entrySet()) {
                long[] shape = e.getValue().getShape().getShape();
                p.put(e.getKey(), HostTensor.f32(e.getValue().toFloatArray(), shape));
                NDArray[] mv = opt.moments(e.getKey());
                if (mv != null) {
                    o.put(e.getKey() + ".m", HostTensor.f32(mv[0].toFloatArray(), shape));
                    o.put(e.getKey() + ".v", HostTensor.f32(mv[1].toFloatArray(), shape));
                }
            }
            Safetensors.write(tmp.resolve("params.safetensors"), p, Map.of());
            Safetensors.write(tmp.resolve("optimizer.safetensors"), o, Map.of());
            state.addProperty("optimizer_step", opt.stepCount());
            Files.writeString(tmp.resolve("state.json"), state.toString(), StandardCharsets.UTF_8);
            Path old = sibling(dir, ".old");
            AtomicFiles.deleteTree(old);
            if (Files.exists(dir)) {
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.deleteTree(old);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write training checkpoint: " + e.getMessage(), e);
        }
    }

    /** The folder names a checkpoint {@code name} occupies: itself and its half-written or superseded copies. */
    public static List<String> names(String name) {
        return List.of(name, name + ".old", name + ".tmp");
    }

    /** Removes a checkpoint (and any half-written or superseded copy), e.g. once its run finished and was saved. */
    public static void delete(Path dir) {
        try {
            for (String name : names(dir.getFileName().toString())) {
                AtomicFiles.deleteTree(dir.resolveSibling(name));
            }
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot remove checkpoint: " + e.getMessage(), e);
        }
    }

    public static boolean exists(Path dir) {
        return Files.exists(latest(dir).resolve("state.json"));
    }

    /** The saved state of the latest checkpoint in {@code dir}, without touching any weights. */
    public static JsonObject state(Path dir) {
        Path d = latest(dir);
        try {
            return JsonParser.parseString(Files.readString(d.resolve("state.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new CheckpointException(d + ": cannot read training checkpoint: " + e.getMessage(), e);
        }
    }

    /** Loads parameters and moments in place and returns the saved state. */
    public static JsonObject load(Path dir, Params params, AdamW opt) {
        Path d = latest(dir);
        try (SafetensorsFile p = SafetensorsFile.open(d.resolve("params.safetensors"));
             SafetensorsFile o = SafetensorsFile.open(d.resolve("optimizer.safetensors"))) {
            for (Map.Entry<String, NDArray> e : params.asMap().entrySet()) {
                e.getValue().set(p.readFloats(e.getKey()));
                NDArray[] mv = opt.moments(e.getKey());
                if (mv != null) {
                    mv[0].set(o.readFloats(e.getKey() + ".m"));
                    mv[1].set(o.readFloats(e.getKey() + ".v"));
                }
            }
            JsonObject state = JsonParser.parseString(Files.readString(d.resolve("state.json"))).getAsJsonObject();
            opt.setStepCount(state.get("optimizer_step").getAsLong());
            return state;
        } catch (IOException e) {
            throw new CheckpointException(d + ": cannot read training checkpoint: " + e.getMessage(), e);
        }
    }

    /** The folder of the latest complete checkpoint: {@code dir}, or the copy a save was replacing when it stopped. */
    private static Path latest(Path dir) {
        return Files.exists(dir.resolve("state.json")) ? dir : sibling(dir, ".old");
    }

    /** {@code dir}'s half-written ({@code .tmp}) or superseded ({@code .old}) copy. */
    private static Path sibling(Path dir, String suffix) {
        return dir.resolveSibling(dir.getFileName() + suffix);
    }
}
