package io.bolmo4j.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.DType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * A model's parameters by Hugging Face tensor name (e.g. {@code model.layers.0.mlp.up_proj.weight}), all owned by
 * one long-lived manager created outside any {@code NDScope}. Layers look their tensors up by name, so a checkpoint
 * file, a random initialisation and a training run all share one naming.
 */
public final class Params implements AutoCloseable {
    private static final NDIndex ALL = new NDIndex(":");
    /** Elements converted per step while loading: 4M, i.e. 8 to 16 MB of buffers. */
    private static final int LOAD_CHUNK = 1 << 22;
    /** Largest finite fp16 value; larger values would become infinite. */
    private static final float HALF_MAX = 65504f;
    private final NDManager manager;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    /** Fused tensors by their member names; each member's entry in {@link #tensors} is a view of its rows. */
    private final Map<List<String>, NDArray> fused = new HashMap<>();
    private final Map<String, List<String>> groupOf = new HashMap<>();

    public Params(NDManager manager) {
        this.manager = manager;
    }

    /** A fresh parameter set on {@link Backend#device()}. */
    public static Params create() {
        return new Params(Backend.newManager());
    }

    public NDManager manager() {
        return manager;
    }

    /** Adds or replaces a tensor made from Java data (copied). */
    public NDArray put(String name, float[] data, long... shape) {
        return replace(name, Ops.floats(manager, data, shape));
    }

    /**
     * Adds or replaces a tensor with a copy of {@code source} (any device or manager). On the same device this is an
     * explicit clone: PyTorch's {@code to(device)} would return the same storage, and the two models would alias.
     */
    public NDArray putCopy(String name, NDArray source) {
        NDArray a = source.getDevice().equals(manager.getDevice()) ? source.duplicate()
                : source.toDevice(manager.getDevice(), true);
        a.attach(manager);
        return replace(name, a);
    }

    /**
     * Adds tensor {@code name} of {@code ckpt} (any float dtype) as {@code type} (FLOAT32 or FLOAT16), checking its
     * shape. It streams a few MB at a time: positional reads (not a memory map, whose touched pages would count as
     * resident memory), conversion in Java, a copy into the engine tensor. Loading a model thus needs its size once.
     */
    public NDArray load(HfCheckpoint ckpt, String name, long[] shape, DataType type) {
        NDArray flat = manager.create(new Shape(new Shape(shape).size()), type);
        try {
            stream(ckpt, name, shape, flat, 0);
            return replace(name, flat.reshape(shape));
        } finally {
            flat.close();
        }
    }

    /**
     * Loads every tensor of {@code shapes} as {@link #load} does, typed by {@code typeOf}; each group of matrices
     * (same columns and type) goes straight into the rows of its fused tensor (see {@link #fused}), so the fused form
     * costs no copy and no second allocation.
     */
    public void loadAll(HfCheckpoint ckpt, Map<String, long[]> shapes, Function<String, DataType> typeOf, List<String[]> groups) {
        Map<String, String[]> groupOfName = new HashMap<>();
        for (String[] g : groups) {
            for (String n : g) {
                groupOfName.put(n, g);
            }
        }
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String n = e.getKey();
            String[] g = groupOfName.get(n);
            if (g == null || !fusable(g, shapes, typeOf)) {
                load(ckpt, n, e.getValue(), typeOf.apply(n));
            } else if (n.equals(g[0])) {
                loadRows(ckpt, g, shapes, typeOf.apply(n));
            }
        }
    }

    /** Matrices of one width and type (a checkpoint may store its projections in different dtypes). */
    private static boolean fusable(String[] names, Map<String, long[]> shapes, Function<String, DataType> typeOf) {
        long[] first = shapes.get(names[0]);
        for (String n : names) {
            long[] s = shapes.get(n);
            if (s == null || s.length != 2 || first.length != 2 || s[1] != first[1] || typeOf.apply(n) != typeOf.apply(names[0])) {
                return false;
            }
        }
        return true;
    }

    private void loadRows(HfCheckpoint ckpt, String[] names, Map<String, long[]> shapes, DataType type) {
        long cols = shapes.get(names[0])[1];
        long[] rows = Arrays.stream(names).mapToLong(n -> shapes.get(n)[0]).toArray();
        long total = Arrays.stream(rows).sum();
        NDArray flat = manager.create(new Shape(total * cols), type);
        try {
            long offset = 0;
            for (int i = 0; i < names.length; i++) {
                stream(ckpt, names[i], shapes.get(names[i]), flat, offset);
                offset += rows[i] * cols;
            }
            NDArray f = flat.reshape(total, cols);
            f.attach(manager);
            NDScope.unregister(f);
            adopt(List.of(names), f, rows);
        } finally {
            flat.close();
        }
    }

    /**
     * Streams tensor {@code name} of {@code ckpt} (any float dtype) into {@code flat} from element {@code at}, checking
     * its shape: positional reads (not a memory map, whose touched pages would count as resident memory) a few MB
     * at a time, conversion in Java, a copy into the engine tensor.
     */
    private void stream(HfCheckpoint ckpt, String name, long[] shape, NDArray flat, long at) {
        TensorInfo info = ckpt.info(name, shape);
        DType from = info.dtype();
        if (!from.isFloat()) {
            throw new CheckpointException(ckpt.fileOf(name) + ": tensor '" + name + "' is " + from + ", not a float type");
        }
        DataType type = flat.getDataType();
        DType to = type == DataType.FLOAT16 ? DType.F16 : DType.F32;
        long n = info.elements();
        int chunk = (int) Math.min(n, LOAD_CHUNK);
        ByteBuffer raw = ByteBuffer.allocateDirect(chunk * from.size()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer converted = ByteBuffer.allocateDirect(chunk * to.size()).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[chunk];
        for (long start = 0; start < n; start += chunk) {
            int len = (int) Math.min(chunk, n - start);
            raw.clear().limit(len * from.size());
            ckpt.read(name, start * from.size(), raw);
            from.decode(raw.flip(), values, len);
            checkValues(ckpt, name, values, len, start, to == DType.F16);
            converted.clear();
            to.encode(values, 0, len, converted);
            try (NDArray alias = manager.create(converted.flip(), new Shape(len), type)) {
                flat.set(new NDIndex().addSliceDim(at + start, at + start + len), alias);
            }
        }
    }

    /** Weights must be finite (a NaN or Inf poisons every output without an error) and, for fp16, within its range. */
    private static void checkValues(HfCheckpoint ckpt, String name, float[] values, int len, long start, boolean half) {
        for (int i = 0; i < len; i++) {
            if (!Float.isFinite(values[i])) {
                throw new CheckpointException(ckpt.fileOf(name) + ": tensor '" + name + "' holds " + values[i] + " at flat index "
                        + (start + i) + ": the weights are corrupt");
            }
            if (half && Math.abs(values[i]) > HALF_MAX) {
                throw new CheckpointException(ckpt.fileOf(name) + ": tensor '" + name + "' holds " + values[i]
                        + " (element " + (start + i) + "), beyond fp16's range; load it with dtype float32");
            }
        }
    }

    /** Makes {@code a} (taken out of any open scope) the tensor called {@code name}, or copies it into a fused group's rows. */
    private NDArray replace(String name, NDArray a) {
        NDScope.unregister(a);
        List<String> group = groupOf.get(name);
        if (group != null) {
            NDArray view = tensors.get(name);
            if (view.getShape().equals(a.getShape()) && view.getDataType() == a.getDataType()) {
                // Same layout: new values go into the fused rows, so the group stays whole.
                view.set(ALL, a);
                a.close();
                return view;
            }
            dissolve(group);
        }
        store(name, a);
        return a;
    }

    /** Makes {@code a} the tensor called {@code name}, closing the one it replaces. */
    private void store(String name, NDArray a) {
        a.setName(name);
        NDArray old = tensors.put(name, a);
        if (old != null) {
            old.close();
        }
    }

    /**
     * The matrices {@code names} (same columns and type) stacked by rows into one tensor, for one product where the
     * maths has several with the same input (a fused QKV projection). Built once: afterwards each name holds a view
     * of its rows, so training, in-place updates and checkpoints see the named tensors as before and the fused one
     * follows them. Replacing a member with a tensor of its shape and type copies into the rows; anything else
     * dissolves the group (the next call fuses again).
     */
    public NDArray fused(String... names) {
        List<String> key = List.of(names);
        NDArray f = fused.get(key);
        if (f != null) {
            return f;
        }
        NDArray[] parts = new NDArray[names.length];
        for (int i = 0; i < names.length; i++) {
            parts[i] = get(names[i]);
            List<String> other = groupOf.get(names[i]);
            if (other != null) {
                dissolve(other);
            }
        }
        f = NDArrays.concat(new NDList(parts), 0);
        f.attach(manager);
        NDScope.unregister(f);
        adopt(key, f, Arrays.stream(parts).mapToLong(p -> p.getShape().get(0)).toArray());
        return f;
    }

    /** Makes {@code f} the fused tensor of {@code key}: each name becomes a view of its rows. */
    private void adopt(List<String> key, NDArray f, long[] rows) {
        long row = 0;
        for (int i = 0; i < key.size(); i++) {
            NDArray view = f.get(new NDIndex().addSliceDim(row, row + rows[i]));
            view.attach(manager);
            NDScope.unregister(view);
            store(key.get(i), view);
            groupOf.put(key.get(i), key);
            row += rows[i];
        }
        fused.put(key, f);
    }

    /** Forgets a fused group; its member views keep their storage alive until they are replaced. */
    private void dissolve(List<String> group) {
        group.forEach(groupOf::remove);
        fused.remove(group).close();
    }

    /** Adds {@code N(0, std²)} values. */
    public NDArray putNormal(String name, Random rng, double std, long... shape) {
        float[] d = new float[Math.toIntExact(new Shape(shape).size())];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rng.nextGaussian() * std);
        }
        return put(name, d, shape);
    }

    /** Adds a tensor filled with one value. */
    public NDArray putConstant(String name, float value, long... shape) {
        float[] d = new float[Math.toIntExact(new Shape(shape).size())];
        Arrays.fill(d, value);
        return put(name, d, shape);
    }

    /** The tensor called {@code name}; a clear error when it is missing or shaped otherwise. */
    public NDArray get(String name, long... expectedShape) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("missing parameter '" + name + "'");
        }
        if (expectedShape.length > 0 && !a.getShape().equals(new Shape(expectedShape))) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + a.getShape()
                    + ", expected " + new Shape(expectedShape));
        }
        return a;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Read-only view in insertion order. */
    public Map<String, NDArray> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Total number of scalars. */
    public long count() {
        return tensors.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
