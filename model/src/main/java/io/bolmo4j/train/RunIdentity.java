package io.bolmo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import com.google.gson.JsonObject;
import io.bolmo4j.io.Sha256;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a training run starts from (the teacher a Stage 1 distils, the Bolmo a Stage 2 continues, the base a fine-tune
 * tunes): a name for people and a fingerprint of those weights. Every training checkpoint records it, and resuming a
 * checkpoint that another model started is an error naming both; no setting overrides that, since the checkpoint's
 * weights would silently mix two models.
 *
 * @param name        how the run names its starting model, e.g. {@code "teacher models/tiny-olmo"}
 * @param fingerprint a hash of the parameters' names, shapes and a strided sample of their values
 */
public record RunIdentity(String name, String fingerprint) {
    /** Values read per tensor: enough to tell any two trained models apart, cheap at 7B. */
    private static final int SAMPLES = 64;
    private static final String KEY = "started_from";

    /** The identity of {@code params} (read, never changed) under {@code name}. */
    public static RunIdentity of(String name, Map<String, NDArray> params) {
        MessageDigest sha = Sha256.digest();
        for (Map.Entry<String, NDArray> e : new TreeMap<>(params).entrySet()) {
            NDArray p = e.getValue();
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            sha.update(Arrays.toString(p.getShape().getShape()).getBytes(StandardCharsets.UTF_8));
            long n = p.size();
            long stride = Math.max(1, n / SAMPLES);
            try (NDArray flat = p.reshape(-1); NDArray sample = flat.get(new NDIndex().addSliceDim(0, n, stride))) {
                float[] values = sample.toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(4 * values.length);
                for (float v : values) {
                    b.putFloat(v);
                }
                sha.update(b.array());
            }
        }
        return new RunIdentity(name, HexFormat.of().formatHex(sha.digest(), 0, 6));
    }

    /** Records this identity in a checkpoint's state. */
    void recordIn(JsonObject state) {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("fingerprint", fingerprint);
        state.add(KEY, o);
    }

    /**
     * Checks that the checkpoint in {@code dir}, whose state is {@code state}, was started from this model.
     *
     * @throws IllegalArgumentException naming both models when it was not
     */
    void check(Path dir, JsonObject state) {
        if (!state.has(KEY)) {
            System.err.println("warning: " + dir + " does not record which model it was started from (an older bolmo4j"
                    + " wrote it); resuming it as if from " + this);
            return;
        }
        JsonObject o = state.getAsJsonObject(KEY);
        RunIdentity was = new RunIdentity(o.get("name").getAsString(), o.get("fingerprint").getAsString());
        if (!was.fingerprint.equals(fingerprint)) {
            throw new IllegalArgumentException(dir + " was started from " + was + ", not from this run's " + this
                    + ": resume it with that model, or write to another folder (or delete it) to start afresh");
        }
    }

    @Override
    public String toString() {
        return name + " (weights #" + fingerprint + ")";
    }
}
