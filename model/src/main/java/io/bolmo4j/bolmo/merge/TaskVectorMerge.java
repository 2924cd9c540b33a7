package io.bolmo4j.bolmo.merge;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.checkpoint.SubwordTokenizerFile;
import io.bolmo4j.bolmo.checkpoint.TeacherTokenizer;
import io.bolmo4j.bolmo.checkpoint.TransformersFiles;
import io.bolmo4j.io.AtomicFiles;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.CheckpointWriter;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.TensorInfo;
import io.bolmo4j.io.TensorSpec;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.TransformerStack;
import io.bolmo4j.train.Setting;
import io.bolmo4j.train.SettingsRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.bolmo4j.train.Settings.require;

/**
 * Task arithmetic on checkpoint directories, out of core: {@code θ += α (θ_instruct − θ_base)} on the tensors
 * {@link TaskVector#mergedTensors(Map, Map, Map)} names (the in-memory merge's rule, final norm included), streamed a
 * chunk at a time, so memory holds a few MB of buffers whatever the model size (mergekit's lazy loading is the bar).
 * Reads are positional, not memory-mapped, so the inputs never count as this process's resident memory.
 * <p>
 * Arithmetic is the in-memory merge's: each value widened to fp32, {@code θ + (θ_instruct − θ_base)·α} in fp32, then
 * rounded to nearest even into the Bolmo tensor's own dtype. A streamed merge therefore equals {@link TaskVector#merge}
 * followed by a save in that dtype bit for bit. Other tensors are copied byte for byte.
 * <p>
 * The base must be the model the Bolmo was byteified from, and the instruct model a post-training of the base: each
 * global layer tensor of the base is compared with the Bolmo's (relative L2 distance ‖θ_bolmo − θ_base‖ / ‖θ_base‖)
 * and the instruct model's with the base's, and the merge refuses any above {@link Options#maxBaseDistance()},
 * respectively {@link Options#maxTaskVector()}. The
 * same validation ({@link #plan(Path, Path, Path, Options)}: options, configs, shapes, and the distances on a sample of
 * every global tensor) runs before a merge writes anything and for a dry run, so a dry run promises only what the
 * merge does; the merge then checks the exact distances in its pass. The output is written into a hidden temp folder
 * beside {@code out} and renamed to it when complete; a failed merge leaves nothing.
 */
public final class TaskVectorMerge {
    /**
     * Default bound on the base check: Stage 2 moves the global layers by a few per cent, while an unrelated model of
     * the same shape is about 140 % away (independent weights of one scale).
     */
    public static final double DEFAULT_MAX_BASE_DISTANCE = 0.5;
    /**
     * Default bound on the task vector's size, ‖θ_instruct − θ_base‖ / ‖θ_base‖ per global tensor: post-training moves
     * weights by a few per cent, and leaves room for far more; an instruct model unrelated to the base is ~140 % away.
     */
    public static final double DEFAULT_MAX_TASK_VECTOR = 1.0;
    private static final int CHUNK = 1 << 20; // elements per step: 4 MB of fp32 per model
    /** The validation's sample of a tensor: this many blocks of {@link #SAMPLE_BLOCK} values, evenly spaced. */
    private static final int SAMPLE_BLOCKS = 16;
    private static final int SAMPLE_BLOCK = 4096;

    private TaskVectorMerge() {}

    /** How to merge; {@link #defaults()}, changed by name ({@link #with}) as the command line's options do. */
    public record Options(
            @Setting("task vector weight") double alpha,
            @Setting("largest relative L2 distance of a global tensor of BASE from the Bolmo's") double maxBaseDistance,
            @Setting("largest relative L2 distance of a global tensor of INSTRUCT from BASE's; an unrelated model is ~1.4"
                    + " away") double maxTaskVector,
            @Setting("largest safetensors shard written, in bytes") long shardBytes) implements SettingsRecord<Options> {
        public Options {
            require(Double.isFinite(alpha), "alpha", "finite", alpha);
            require(maxBaseDistance >= 0, "maxBaseDistance", ">= 0", maxBaseDistance);
            require(maxTaskVector >= 0, "maxTaskVector", ">= 0", maxTaskVector);
            require(shardBytes >= 1, "shardBytes", "an integer >= 1", shardBytes);
        }

        /** α = 1, {@link #DEFAULT_MAX_BASE_DISTANCE}, {@link #DEFAULT_MAX_TASK_VECTOR}, shards of {@link OlmoCheckpoint#SHARD_BYTES}. */
        public static Options defaults() {
            return new Options(1.0, DEFAULT_MAX_BASE_DISTANCE, DEFAULT_MAX_TASK_VECTOR, OlmoCheckpoint.SHARD_BYTES);
        }
    }

    /**
     * What a merge would do, from the headers alone.
     *
     * @param merged tensors that receive the task vector, in the Bolmo's order, with their Bolmo type and shape
     * @param kept tensors copied unchanged, with the reason
     * @param outputBytes bytes of tensor data written
     * @param copiedFiles the Bolmo directory's other files (config, tokenizer) copied beside the weights
     */
    public record Plan(Map<String, TensorSpec> merged, Map<String, String> kept, long outputBytes, List<String> copiedFiles) {
        /** Number of values that change. */
        public long mergedValues() {
            return merged.values().stream().mapToLong(TensorSpec::elements).sum();
        }
    }

    /**
     * A finished merge.
     *
     * @param farthestTensor the global tensor farthest from the base, and {@code baseDistance} its relative distance
     */
    public record Result(Plan plan, Path out, int shards, double seconds, String farthestTensor, double baseDistance) {}

    /** {@link #plan(Path, Path, Path, Options)} with {@link Options#defaults()}. */
    public static Plan plan(Path bolmo, Path instruct, Path base) {
        return plan(bolmo, instruct, base, Options.defaults());
    }

    /**
     * The plan for merging {@code instruct − base} into {@code bolmo}, after the validation a merge makes before it
     * writes: the three configs agree, the tensors match, and on a sample of every global tensor the base is the
     * Bolmo's source and the instruct model a post-training of the base.
     */
    public static Plan plan(Path bolmo, Path instruct, Path base, Options options) {
        try (Inputs in = Inputs.open(bolmo, instruct, base)) {
            return in.validated(options);
        }
    }

    /** Merges into a new directory {@code out} (which must not exist, or be empty). */
    public static Result merge(Path bolmo, Path instruct, Path base, Path out, Options options) {
        long start = System.nanoTime();
        if (Files.exists(out) && !isEmptyDirectory(out)) {
            throw new CheckpointException(out + ": already exists; the merge writes a new directory");
        }
        try (Inputs in = Inputs.open(bolmo, instruct, base)) {
            Plan plan = in.validated(options);
            Path tmp = tempDirFor(out);
            try {
                Merger m = new Merger(in, options);
                int shards = m.write(plan, tmp);
                for (String f : plan.copiedFiles()) {
                    Files.copy(bolmo.resolve(f), tmp.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
                }
                takeInstructChat(bolmo, instruct, tmp, in.config());
                Files.deleteIfExists(out); // an empty directory: the rename cannot replace it
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
                return new Result(plan, out, shards, (System.nanoTime() - start) / 1e9, m.farthest, m.farthestDistance);
            } catch (IOException e) {
                throw new CheckpointException(out + ": cannot write the merged checkpoint: " + e.getMessage(), e);
            } finally {
                AtomicFiles.deleteQuietly(tmp); // after the move there is nothing left to delete
            }
        }
    }

    /**
     * The merged Bolmo answers like the instruct model, so it takes its chat template, special tokens and stop ids (the
     * teacher's vocabulary stays: it defines the suffix embeddings), and names it as original_identifier.
     */
    private static void takeInstructChat(Path bolmo, Path instruct, Path out, BolmoConfig config) throws IOException {
        if (!Files.isRegularFile(instruct.resolve("tokenizer.json"))) {
            return; // an instruct model without tokenizer files has no chat to give
        }
        TeacherTokenizer teacher;
        try {
            teacher = TeacherTokenizer.ofBolmo(bolmo, SubwordTokenizerFile.find(bolmo, null)).withChatOf(TeacherTokenizer.of(instruct));
        } catch (CheckpointException e) {
            return; // no teacher vocabulary at hand (e.g. not in the hub cache): the Bolmo's files stay as they were
        }
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve(HfCheckpoint.CONFIG))).getAsJsonObject();
        HfCheckpoint.writeAtomically(out.resolve(HfCheckpoint.CONFIG), HfCheckpoint.pretty(TransformersFiles.config(json, config, teacher)));
        for (Map.Entry<String, byte[]> f : TransformersFiles.files(config, teacher).entrySet()) {
            HfCheckpoint.writeAtomically(out.resolve(f.getKey()), f.getValue());
        }
    }

    /** The three checkpoints, their configs checked against each other. */
    private record Inputs(HfCheckpoint bolmo, HfCheckpoint instruct, HfCheckpoint base, BolmoConfig config)
            implements AutoCloseable {
        static Inputs open(Path bolmoDir, Path instructDir, Path baseDir) {
            List<HfCheckpoint> opened = new ArrayList<>();
            try {
                for (Path p : List.of(bolmoDir, instructDir, baseDir)) {
                    opened.add(HfCheckpoint.open(p));
                }
                BolmoConfig cfg = BolmoConfig.fromJson(opened.get(0).config(), bolmoDir.resolve(HfCheckpoint.CONFIG).toString());
                OlmoConfig ic = OlmoConfig.fromJson(opened.get(1).config(), instructDir.resolve(HfCheckpoint.CONFIG).toString());
                OlmoConfig bc = OlmoConfig.fromJson(opened.get(2).config(), baseDir.resolve(HfCheckpoint.CONFIG).toString());
                TaskVector.checkArchitectures(cfg, ic, bc);
                return new Inputs(opened.get(0), opened.get(1), opened.get(2), cfg);
            } catch (RuntimeException e) {
                opened.forEach(HfCheckpoint::close);
                throw e;
            }
        }

        Plan plan() {
            Map<String, long[]> b = shapes(bolmo), i = shapes(instruct), s = shapes(base);
            Map<String, TensorSpec> merged = new LinkedHashMap<>();
            for (String n : TaskVector.mergedTensors(b, i, s)) {
                merged.put(n, spec(bolmo, n));
            }
            if (merged.isEmpty()) {
                throw new IllegalArgumentException("no tensor is shared by name and shape: nothing to merge");
            }
            Map<String, String> kept = new LinkedHashMap<>();
            long bytes = 0;
            for (String n : b.keySet()) {
                bytes += spec(bolmo, n).bytes();
                if (!merged.containsKey(n)) {
                    kept.put(n, !i.containsKey(n) ? "not in the instruct model" : !s.containsKey(n) ? "not in the base"
                            : "shapes differ: " + Arrays.toString(b.get(n)) + " vs " + Arrays.toString(i.get(n)));
                }
            }
            for (String n : merged.keySet()) {
                TensorInfo t = bolmo.info(n);
                for (HfCheckpoint c : List.of(bolmo, instruct, base)) {
                    if (!c.info(n).dtype().isFloat()) {
                        throw new CheckpointException(c.dir() + ": tensor '" + n + "' is " + c.info(n).dtype()
                                + ", not a float type; a task vector needs float weights (Bolmo has " + t.dtype() + ")");
                    }
                }
            }
            return new Plan(merged, kept, bytes, otherFiles(bolmo.dir()));
        }

        /** {@link #plan()} after the distance checks on a sample of every global tensor. */
        Plan validated(Options options) {
            Plan plan = plan();
            Set<String> global = TransformerStack.shapes(config.global).keySet();
            ByteBuffer io = ByteBuffer.allocate(SAMPLE_BLOCK * 4);
            for (String n : plan.merged().keySet()) {
                if (global.contains(n)) {
                    requireClose(bolmo.dir(), instruct.dir(), base.dir(), n, sampledDistance(bolmo, base, n, io),
                            sampledDistance(instruct, base, n, io), options);
                }
            }
            return plan;
        }

        /** ‖a − b‖ / ‖b‖ of tensor {@code name} over evenly spaced blocks of it (all of it when small). */
        private static double sampledDistance(HfCheckpoint a, HfCheckpoint b, String name, ByteBuffer io) {
            long n = a.info(name).elements();
            int blocks = (int) Math.min(SAMPLE_BLOCKS, Math.max(1, n / SAMPLE_BLOCK));
            float[] x = new float[SAMPLE_BLOCK], y = new float[SAMPLE_BLOCK];
            double diff2 = 0, norm2 = 0;
            for (int k = 0; k < blocks; k++) {
                long from = n * k / blocks;
                int len = (int) Math.min(SAMPLE_BLOCK, n - from);
                read(a, name, from, len, x, io);
                read(b, name, from, len, y, io);
                for (int i = 0; i < len; i++) {
                    double d = x[i] - y[i];
                    diff2 += d * d;
                    norm2 += y[i] * (double) y[i];
                }
            }
            return distance(diff2, norm2);
        }

        private static Map<String, long[]> shapes(HfCheckpoint c) {
            Map<String, long[]> m = new LinkedHashMap<>();
            for (String n : c.names()) {
                m.put(n, c.info(n).shape());
            }
            return m;
        }

        private static TensorSpec spec(HfCheckpoint c, String name) {
            TensorInfo t = c.info(name);
            return new TensorSpec(t.dtype(), t.shape());
        }

        @Override
        public void close() {
            bolmo.close();
            instruct.close();
            base.close();
        }
    }

    /** One streamed pass: merged tensors first (so a wrong base fails at once), then the kept ones copied. */
    private static final class Merger {
        private final Inputs in;
        private final Options options;
        private final Set<String> globalLayers;
        private final ByteBuffer io = ByteBuffer.allocateDirect(CHUNK * 4);
        private final float[] theta = new float[CHUNK], instruct = new float[CHUNK], base = new float[CHUNK];
        String farthest;
        double farthestDistance = -1;

        Merger(Inputs in, Options options) {
            this.in = in;
            this.options = options;
            this.globalLayers = TransformerStack.shapes(in.config().global).keySet();
        }

        int write(Plan plan, Path dir) {
            Map<String, TensorSpec> order = new LinkedHashMap<>(plan.merged());
            for (String n : plan.kept().keySet()) {
                order.put(n, Inputs.spec(in.bolmo(), n));
            }
            try (CheckpointWriter w = new CheckpointWriter(dir, order, options.shardBytes())) {
                for (String n : plan.merged().keySet()) {
                    merge(n, w);
                }
                for (String n : plan.kept().keySet()) {
                    copy(n, w);
                }
                w.finish();
                return w.shardCount();
            }
        }

        private void merge(String name, CheckpointWriter w) {
            TensorInfo tb = in.bolmo().info(name);
            long n = tb.elements();
            float a = (float) options.alpha();
            boolean check = globalLayers.contains(name);
            double diff2 = 0, norm2 = 0, tuned2 = 0;
            for (long from = 0; from < n; from += CHUNK) {
                int len = (int) Math.min(CHUNK, n - from);
                read(in.bolmo(), name, from, len, theta, io);
                read(in.instruct(), name, from, len, instruct, io);
                read(in.base(), name, from, len, base, io);
                for (int k = 0; k < len; k++) {
                    if (check) {
                        double d = theta[k] - base[k], t = instruct[k] - base[k];
                        diff2 += d * d;
                        tuned2 += t * t;
                        norm2 += base[k] * (double) base[k];
                    }
                    theta[k] = theta[k] + (instruct[k] - base[k]) * a; // the in-memory merge's fp32 operations, in order
                }
                io.clear();
                tb.dtype().encode(theta, 0, len, io);
                w.write(io.flip());
            }
            if (check) {
                double dist = distance(diff2, norm2);
                requireClose(in.bolmo().dir(), in.instruct().dir(), in.base().dir(), name, dist, distance(tuned2, norm2), options);
                if (dist > farthestDistance) {
                    farthestDistance = dist;
                    farthest = name;
                }
            }
        }


        private void copy(String name, CheckpointWriter w) {
            TensorInfo t = in.bolmo().info(name);
            long bytes = t.end() - t.begin();
            for (long off = 0; off < bytes; off += io.capacity()) {
                io.clear().limit((int) Math.min(io.capacity(), bytes - off));
                in.bolmo().read(name, off, io);
                w.write(io.flip());
            }
        }
    }

    /** Values {@code [from, from + len)} of tensor {@code name} as fp32, read through {@code io}. */
    private static void read(HfCheckpoint c, String name, long from, int len, float[] dst, ByteBuffer io) {
        TensorInfo t = c.info(name);
        io.clear().limit(len * t.dtype().size());
        c.read(name, from * t.dtype().size(), io);
        t.dtype().decode(io.flip(), dst, len);
    }

    /** Relative L2 distance from squared sums: ‖difference‖² and ‖reference‖². */
    static double distance(double diff2, double norm2) {
        return norm2 > 0 ? Math.sqrt(diff2 / norm2) : diff2 > 0 ? Double.POSITIVE_INFINITY : 0;
    }

    /**
     * The merge's one rule on its inputs, for merges of folders and of models in memory (named by {@code bolmo},
     * {@code instruct} and {@code base}): the base within {@link Options#maxBaseDistance()} of the Bolmo (it is the
     * model the Bolmo was byteified from) and the instruct model within {@link Options#maxTaskVector()} of the base (a
     * post-training of it).
     */
    static void requireClose(Object bolmo, Object instruct, Object base, String name, double bolmoToBase, double instructToBase,
                             Options options) {
        if (bolmoToBase > options.maxBaseDistance()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: tensor '%s' differs from the Bolmo's by"
                    + " %.1f %% (relative L2 distance, limit %.1f %%): the base must be the model %s was byteified from",
                    base, name, 100 * bolmoToBase, 100 * options.maxBaseDistance(), bolmo));
        }
        if (instructToBase > options.maxTaskVector()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: tensor '%s' differs from the base's by"
                    + " %.1f %% (relative L2 distance, limit %.1f %%): the instruct model must be a post-training of the"
                    + " base %s", instruct, name, 100 * instructToBase, 100 * options.maxTaskVector(), base));
        }
    }

    /** The directory's regular files other than weights (config.json, tokenizer files, ...). */
    private static List<String> otherFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.endsWith(".safetensors") && !n.equals(HfCheckpoint.INDEX))
                    .sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static Path tempDirFor(Path out) {
        try {
            return AtomicFiles.tempDirFor(out);
        } catch (IOException e) {
            throw new CheckpointException(out + ": cannot create a temp folder beside it: " + e.getMessage(), e);
        }
    }

    private static boolean isEmptyDirectory(Path p) {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
