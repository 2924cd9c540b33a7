package io.bolmo4j.export;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.bolmo.checkpoint.TeacherTokenizer;
import io.bolmo4j.bolmo.checkpoint.TransformersFiles;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.DType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.SafetensorsFile;
import io.bolmo4j.io.TensorInfo;
import io.bolmo4j.olmo.OlmoCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Brings a bolmo-core checkpoint back as a Hugging Face Bolmo directory that bolmo4j loads. Two inputs are accepted:
 * the output of bolmo-core's {@code convert_checkpoint_to_hf.py} (already in the Hugging Face layout: checked and
 * copied, with the teacher's tokenizer added), or a checkpoint unsharded by bolmo-core's {@code src/scripts/unshard.py
 * --safetensors} (one {@code model.safetensors} in olmo-core names: renamed as bolmo-core's converter does, the byte
 * tables cut from olmo-core's 640 padded rows to 520, the teacher dropped). A sharded (distributed) checkpoint is
 * refused with the command that unshards it.
 */
public final class BolmoCoreImport {
    /** The export's copy of the teacher's tokenizer (tokenizer.json, tokenizer_config.json), in the run directory. */
    private static final String RUN_TOKENIZER = "tokenizer";

    private BolmoCoreImport() {}

    /**
     * What an import wrote.
     *
     * @param dir     the Hugging Face Bolmo directory
     * @param from    {@code "hf"} (bolmo-core's converter output) or {@code "olmo-core"} (an unsharded checkpoint)
     * @param tensors tensors written
     * @param dropped checkpoint tensors left out (the teacher's)
     */
    public record ImportedRun(Path dir, String from, int tensors, int dropped) {}

    /**
     * Imports {@code checkpoint} into {@code out}.
     *
     * @param run the export's run directory (for the Bolmo config and the teacher's tokenizer); null = the first
     *            ancestor of {@code checkpoint} holding {@value BolmoCoreExport#RUN_FILE}
     */
    public static ImportedRun importRun(Path checkpoint, Path out, Path run) {
        if (!Files.isDirectory(checkpoint)) {
            throw new IllegalArgumentException("no checkpoint directory " + checkpoint);
        }
        if (Files.exists(checkpoint.resolve(".metadata")) || Files.exists(checkpoint.resolve("model_and_optim/.metadata"))) {
            throw new IllegalArgumentException(checkpoint + " is a sharded olmo-core checkpoint: unshard it first with"
                    + " python $BOLMO_CORE/src/scripts/unshard.py " + checkpoint + " OUT --safetensors (the run's unshard.sh)");
        }
        if (BolmoCheckpoint.isBolmo(checkpoint)) {
            return fromHf(checkpoint, out, run);
        }
        if (Files.isRegularFile(checkpoint.resolve(HfCheckpoint.SINGLE))) {
            return fromOlmoCore(checkpoint.resolve(HfCheckpoint.SINGLE), out, runDir(checkpoint, run));
        }
        throw new IllegalArgumentException(checkpoint + " holds neither a Hugging Face Bolmo (config.json with model_type"
                + " bolmo) nor an unsharded olmo-core model.safetensors");
    }

    private static ImportedRun fromHf(Path checkpoint, Path out, Path run) {
        BolmoConfig cfg = BolmoCheckpoint.config(checkpoint);
        try (HfCheckpoint ckpt = HfCheckpoint.open(checkpoint)) {
            cfg.tensorShapes().forEach((name, shape) -> {
                if (!ckpt.contains(name) || !Arrays.equals(ckpt.info(name).shape(), shape)) {
                    throw new CheckpointException(checkpoint + ": tensor " + name + " should be " + Arrays.toString(shape)
                            + ", found " + (ckpt.contains(name) ? Arrays.toString(ckpt.info(name).shape()) : "none"));
                }
            });
        }
        try (Stream<Path> files = Files.list(checkpoint)) {
            Files.createDirectories(out);
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, out.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Files.exists(out.resolve("tokenizer.json"))) {
                // the converter's own config and tokenizer_config stay; the teacher's tokenizer comes from the run
                TeacherTokenizer teacher = TeacherTokenizer.of(runDir(checkpoint, run).resolve(RUN_TOKENIZER));
                TransformersFiles.files(cfg, teacher).forEach((name, bytes) -> {
                    if (!Files.exists(out.resolve(name))) {
                        write(out.resolve(name), bytes);
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + checkpoint + " to " + out + ": " + e.getMessage(), e);
        }
        return new ImportedRun(out, "hf", cfg.tensorShapes().size(), 0);
    }

    private static ImportedRun fromOlmoCore(Path file, Path out, Path run) {
        BolmoConfig cfg = runConfig(run);
        Map<String, long[]> expected = cfg.tensorShapes();
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        int dropped = 0;
        boolean bf16 = false;
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            List<String> unknown = new ArrayList<>();
            for (String name : st.names()) {
                Optional<String> hf = OlmoCoreNames.toHf(name);
                if (hf.isEmpty()) {
                    if (OlmoCoreNames.isTeacher(name)) {
                        dropped++;
                    } else {
                        unknown.add(name);
                    }
                    continue;
                }
                long[] want = expected.get(hf.get());
                TensorInfo info = st.info(name);
                if (want == null) {
                    throw new CheckpointException(file + ": " + name + " → " + hf.get() + " is not part of the run's Bolmo ("
                            + cfg + ")");
                }
                tensors.put(hf.get(), rows(st, info, want, file));
                bf16 |= info.dtype() == DType.BF16;
            }
            if (!unknown.isEmpty()) {
                throw new CheckpointException(file + ": " + unknown.size() + " tensor(s) with no Bolmo name, e.g. "
                        + unknown.subList(0, Math.min(3, unknown.size())));
            }
        }
        List<String> missing = expected.keySet().stream().filter(k -> !tensors.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw new CheckpointException(file + ": " + missing.size() + " Bolmo tensor(s) missing, e.g. "
                    + missing.subList(0, Math.min(3, missing.size())));
        }
        Map<String, HostTensor> ordered = new LinkedHashMap<>();
        expected.keySet().forEach(k -> ordered.put(k, tensors.get(k)));
        TeacherTokenizer teacher = TeacherTokenizer.of(run.resolve(RUN_TOKENIZER));
        JsonObject json = TransformersFiles.config(cfg.toJson(), cfg, teacher);
        json.addProperty("torch_dtype", bf16 ? "bfloat16" : "float32");
        HfCheckpoint.save(out, json, ordered, OlmoCheckpoint.SHARD_BYTES, TransformersFiles.files(cfg, teacher));
        return new ImportedRun(out, "olmo-core", ordered.size(), dropped);
    }

    /** A tensor with the expected shape; olmo-core's byte tables carry padding rows beyond the 520 ids, which are cut. */
    private static HostTensor rows(SafetensorsFile st, TensorInfo info, long[] want, Path file) {
        long[] have = info.shape();
        boolean padded = have.length == 2 && want.length == 2 && have[1] == want[1] && have[0] > want[0]
                && want[0] == BolmoConfig.BYTE_VOCAB;
        if (!padded && !Arrays.equals(have, want)) {
            throw new CheckpointException(file + ": " + info.name() + " is " + Arrays.toString(have) + ", the run's Bolmo needs "
                    + Arrays.toString(want));
        }
        float[] data = st.readFloats(info.name());
        if (padded) {
            data = Arrays.copyOf(data, (int) (want[0] * want[1]));
        }
        return info.dtype() == DType.BF16 ? HostTensor.bf16(data, want) : HostTensor.f32(data, want);
    }

    private static Path runDir(Path checkpoint, Path run) {
        if (run != null) {
            if (!Files.isRegularFile(run.resolve(BolmoCoreExport.RUN_FILE))) {
                throw new IllegalArgumentException(run + " has no " + BolmoCoreExport.RUN_FILE + " (not a bolmo4j export-run directory)");
            }
            return run;
        }
        for (Path p = checkpoint.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(BolmoCoreExport.RUN_FILE))) {
                return p;
            }
        }
        throw new IllegalArgumentException("no " + BolmoCoreExport.RUN_FILE + " in " + checkpoint
                + " or above it: name the export's run directory (--run)");
    }

    private static BolmoConfig runConfig(Path run) {
        Path f = run.resolve(BolmoCoreExport.RUN_FILE);
        try {
            JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            if (!o.has("bolmo_config")) {
                throw new CheckpointException(f + ": no bolmo_config");
            }
            return BolmoConfig.fromJson(o.getAsJsonObject("bolmo_config"), f + " bolmo_config");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            HfCheckpoint.writeAtomically(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
