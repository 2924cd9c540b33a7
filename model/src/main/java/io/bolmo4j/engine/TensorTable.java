package io.bolmo4j.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A component's tensors, each named once with its shape and its initialisation, in the order a seeded initialisation
 * draws them: {@link #shapes} is what a checkpoint of the component holds, {@link #init} creates the tensors. A
 * component's table holds its parts' tables under their prefixes ({@link #under}).
 */
public final class TensorTable {
    /** How a tensor's first values are put into parameters. */
    @FunctionalInterface
    private interface Init {
        void put(Params p, String name, long[] shape, Random rng);
    }

    private record Entry(String name, long[] shape, Init init) {}

    private final List<Entry> entries = new ArrayList<>();

    /** Values drawn from N(0, std²). */
    public TensorTable normal(String name, double std, long... shape) {
        return add(new Entry(name, shape, (p, n, s, rng) -> p.putNormal(n, rng, std, s)));
    }

    /** One value everywhere. */
    public TensorTable constant(String name, float value, long... shape) {
        return add(new Entry(name, shape, (p, n, s, rng) -> p.putConstant(n, value, s)));
    }

    /** Values computed when the tensor is created (not when only the shapes are read). */
    public TensorTable values(String name, Supplier<float[]> values, long... shape) {
        return add(new Entry(name, shape, (p, n, s, rng) -> p.put(n, values.get(), s)));
    }

    /** The {@code d × d} identity. */
    public TensorTable identity(String name, long d) {
        return values(name, () -> {
            float[] eye = new float[Math.toIntExact(d * d)];
            for (int i = 0; i < d; i++) {
                eye[(int) (i * d + i)] = 1f;
            }
            return eye;
        }, d, d);
    }

    /** The tensors of {@code part}, each name prefixed with {@code prefix}. */
    public TensorTable under(String prefix, TensorTable part) {
        part.entries.forEach(e -> add(new Entry(prefix + e.name, e.shape, e.init)));
        return this;
    }

    public Map<String, long[]> shapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        entries.forEach(e -> m.put(e.name, e.shape));
        return m;
    }

    /** Creates every tensor in {@code params}, in the table's order. */
    public void init(Params params, Random rng) {
        entries.forEach(e -> e.init.put(params, e.name, e.shape, rng));
    }

    private TensorTable add(Entry e) {
        entries.add(e);
        return this;
    }
}
