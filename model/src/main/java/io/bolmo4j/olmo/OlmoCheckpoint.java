package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.io.DType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.io.TensorInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Loads and saves {@link OlmoModel}s in the Hugging Face layout (config.json + safetensors, single or sharded). */
public final class OlmoCheckpoint {
    /** Shards above this size when saving (HF's default is 5 GB; smaller keeps memory maps modest). */
    public static final long SHARD_BYTES = 2L << 30;

    private OlmoCheckpoint() {}

    /** What {@code bolmo4j info} prints. */
    public record Summary(OlmoConfig config, long parameters, String weights, String tokenizer) {}

    /**
     * Reads {@code config.json} and every tensor (F32/F16/BF16 → fp32) of a checkpoint of a supported family
     * ({@link OlmoConfig.Family}); weights the config does not describe, and non-finite values, are errors.
     */
    public static OlmoModel load(Path dir) {
        return load(dir, WeightType.FLOAT32);
    }

    /**
     * Reads a checkpoint with its weight matrices held as {@code type} (vectors in fp32), each tensor
     * streamed once from the file into the engine.
     */
    public static OlmoModel load(Path dir, WeightType type) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            OlmoConfig cfg = OlmoConfig.fromJson(ckpt.config(), dir.resolve("config.json").toString());
            Map<String, long[]> shapes = expectedShapes(cfg);
            Set<String> known = new LinkedHashSet<>(shapes.keySet());
            if (cfg.tieWordEmbeddings) {
                known.add(ParameterLayout.LM_HEAD); // a copy of the embedding some exporters keep; transformers ignores it
            }
            ckpt.requireNoneUnused(known);
            Params params = Params.create();
            try {
                params.loadAll(ckpt, shapes, n -> shapes.get(n).length == 2
                        ? type.matrixType(ckpt.info(n, shapes.get(n)).dtype()) : DataType.FLOAT32,
                        TransformerStack.fusedMatrices(cfg));
                return new OlmoModel(cfg, params);
            } catch (RuntimeException e) {
                params.close();
                throw e;
            }
        }
    }

    /**
     * Writes {@code config.json} and the weights ({@code bf16} halves the size; fp32 keeps them exact), plus extra
     * files such as {@code tokenizer.json}, atomically per file.
     */
    public static void save(OlmoModel model, Path dir, boolean bf16, Map<String, byte[]> extraFiles) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.params().asMap().entrySet()) {
            float[] data = Ops.toFloats(e.getValue());
            long[] shape = e.getValue().getShape().getShape();
            tensors.put(e.getKey(), bf16 ? HostTensor.bf16(data, shape) : HostTensor.f32(data, shape));
        }
        JsonObject cfg = model.config().toJson();
        cfg.addProperty("torch_dtype", bf16 ? "bfloat16" : "float32");
        HfCheckpoint.save(dir, cfg, tensors, SHARD_BYTES, extraFiles);
    }

    /** Summary without loading the weights into the engine. */
    public static Summary summary(Path dir) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            OlmoConfig cfg = OlmoConfig.fromJson(ckpt.config(), dir.resolve("config.json").toString());
            List<TensorInfo> infos = ckpt.names().stream().map(ckpt::info).toList();
            long stored = infos.stream().mapToLong(TensorInfo::elements).sum();
            Set<DType> dtypes = infos.stream().map(TensorInfo::dtype).collect(Collectors.toCollection(LinkedHashSet::new));
            String weights = ckpt.files().size() + " file(s), " + String.format("%,d", stored) + " values " + dtypes;
            Path tok = dir.resolve("tokenizer.json");
            String tokenizer = Files.exists(tok) ? tok.getFileName().toString() : "none (tokenizer.json missing)";
            return new Summary(cfg, cfg.parameterCount(), weights, tokenizer);
        }
    }

    /** Every tensor a checkpoint of {@code c} must hold, with its shape (no LM head when tied to the embedding). */
    public static Map<String, long[]> expectedShapes(OlmoConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize;
        m.put(ParameterLayout.EMBED, new long[] {c.vocabSize, d});
        m.putAll(TransformerStack.shapes(c));
        m.put(ParameterLayout.NORM, new long[] {d});
        if (!c.tieWordEmbeddings) {
            m.put(ParameterLayout.LM_HEAD, new long[] {c.vocabSize, d});
        }
        return m;
    }
}
