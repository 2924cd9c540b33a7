package io.bolmo4j.export;

import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exported recipe uses only names bolmo-core's configuration classes and Bolmo scripts define, with values of their
 * types (the fixture {@code bolmo-core-config-fields.tsv}, read from bolmo-core 7f3c6b5's source), and carries the
 * bolmo4j stage settings it maps.
 */
class BolmoCoreRecipeTest {
    private record Field(String type, String scripts) {}

    private static final BolmoCoreRecipe.Cluster ONE_NODE = new BolmoCoreRecipe.Cluster(1, 8, 0);

    static Map<String, Field> fixture() throws IOException {
        Map<String, Field> m = new HashMap<>();
        try (InputStream in = BolmoCoreRecipeTest.class.getResourceAsStream("bolmo-core-config-fields.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.split("\t");
                    m.put(f[0], new Field(f[1], f[2]));
                }
            }
        }
        return m;
    }

    static BolmoConfig tiny() throws IOException {
        Path dir = BuiltinModels.path(BuiltinModels.TINY);
        OlmoConfig t = OlmoConfig.fromJson(JsonParser.parseString(Files.readString(dir.resolve("config.json")))
                .getAsJsonObject(), "tiny-olmo");
        return BolmoConfig.fromTeacher(t, BpeTokenizer.load(dir.resolve("tokenizer.json")).vocabSize());
    }

    /** The Bolmo of an OLMo-2-0425-1B-shaped teacher with dolma2's vocabulary, which bolmo-core runs as is. */
    static BolmoConfig oneB() {
        return BolmoConfig.fromTeacher(OlmoConfig.of("olmo2", 100352, 2048, 8192, 16, 16, 16, 4096), 100278);
    }

    @Test
    void stage1NamesAndTypesAreBolmoCores() throws IOException {
        BolmoCoreRecipe r = BolmoCoreRecipe.stage1(Stage1.Config.defaults(), oneB(), 4.2, ONE_NODE, 100);
        checkAgainstFixture(r, "1");
    }

    @Test
    void stage2NamesAndTypesAreBolmoCores() throws IOException {
        Stage2.Config c = Stage2.Config.defaults().with("targetBytesPerPatch", 6).with("compressionSteps", 200);
        BolmoCoreRecipe r = BolmoCoreRecipe.stage2(c, oneB(), 4.2, ONE_NODE, 100);
        checkAgainstFixture(r, "2");
        String bc = "train_module.bolmo_config.";
        assertEquals("bpe", r.overrides().get(bc + "gradual_boundary_compression_kind"));
        assertEquals(6.0, r.overrides().get(bc + "target_ratio"));
        assertEquals(4.2, r.overrides().get(bc + "start_ratio"));
        assertEquals(200, r.overrides().get(bc + "gradual_boundary_compression_steps"));
        assertEquals(c.loop().lr() / 2, Double.parseDouble(r.env().get("GLOBAL_MODEL_LEARNING_RATE")), 1e-15);
        assertEquals(List.of("ce", "boundary"), r.overrides().get(bc + "losses"));
        assertTrue(r.unmapped().isEmpty(), r.unmapped().toString());
    }

    @Test
    void stage1ValuesFollowTheStageSettings() throws IOException {
        Stage1.Config c = Stage1.Config.defaults().with("steps", 1234).with("batch", 32).with("bytesPerExample", 4096).with("lr", 7e-4)
                .with("encoderLayers", 3).with("byteDistillWeight", 0).with("seed", 9);
        BolmoConfig bolmo = tiny().with("num_local_decoder_layers", 2).with("boundary_predictor_lookahead", 0);
        BolmoCoreRecipe r = BolmoCoreRecipe.stage1(c, bolmo, 4.0, new BolmoCoreRecipe.Cluster(2, 4, 2), 500);
        Map<String, Object> o = r.overrides();
        assertEquals(1234, o.get("trainer.max_duration.value"));
        assertEquals(0.0007, o.get("train_module.optim.lr"));
        assertEquals(c.loop().weightDecay(), o.get("train_module.optim.weight_decay"));
        assertEquals(c.loop().clip(), o.get("train_module.max_grad_norm"));
        assertEquals(c.loop().warmupFraction(), o.get("train_module.scheduler.warmup_fraction"));
        assertEquals(c.tau(), o.get("train_module.bolmo_config.binarization_temp"));
        assertEquals(3, o.get("train_module.bolmo_config.encoder_loss_lookahead"));
        assertEquals(List.of(0.0, 0.0, 4.0), o.get("train_module.bolmo_config.encoder_loss_lookahead_weights"));
        assertEquals(9L, o.get("data_loader.seed"));
        assertEquals(2, o.get("model.local_decoder.n_layers"));
        assertEquals(0, o.get("model.local_encoder.boundary_predictor_lookahead"));
        assertEquals(bolmo.localIntermediateSize, o.get("model.local_encoder.block_config.feed_forward.hidden_size"));
        assertEquals(bolmo.numLocalHeads, o.get("model.local_decoder.block_config.xlstm.num_heads"));
        // 4096 bytes at 4 bytes/token = 1024 tokens per instance, 6 byte positions per token, 32 instances
        assertEquals("1024", r.env().get("SEQUENCE_LENGTH"));
        assertEquals(32 * 1024 * 6, o.get("data_loader.global_batch_size"));
        assertEquals(2 * 1024 * 6, o.get("train_module.rank_microbatch_size")); // 2 instances per forward on each of 8 GPUs
        assertTrue(r.unmapped().isEmpty(), "byte distillation 0 is the paper's Stage 1: " + r.unmapped());
        assertTrue(r.dotlist().contains("train_module.optim.lr=0.0007"), r.dotlist().toString());
        assertTrue(r.dotlist().contains("train_module.bolmo_config.loss_weights=[1.0,1.0,1.0,4.0]"));
    }

    /**
     * bolmo-core 7f3c6b5 trains the local mLSTM with {@code chunk_size=128} and no padding ({@code XLSTMConfig.build};
     * mlstm_kernels asserts {@code S % CHUNK_SIZE == 0}), on byte sequences of SEQUENCE_LENGTH × BYTE_EXPANSION_FACTOR,
     * and the teacher reads SEQUENCE_LENGTH subword tokens: for the OLMo-2-1B shape (context 4,096) every export of
     * both stages must keep both rules, as near the bytes asked for as they allow.
     */
    @Test
    void instanceLengthsAreWholeLocalChunksWithinTheTeachersContext() {
        int chunk = 128, context = 4096;
        for (int bytes : List.of(64, 256, 1000, 18000, 24576, 31050, 100000)) {
            for (double bytesPerToken : List.of(2.9, 4.2, 4.749, 6.0)) {
                Stage1.Config c1 = Stage1.Config.defaults().with("batch", 16).with("bytesPerExample", bytes);
                Stage2.Config c2 = Stage2.Config.defaults().with("batch", 16).with("bytesPerExample", bytes);
                for (BolmoCoreRecipe r : List.of(BolmoCoreRecipe.stage1(c1, oneB(), bytesPerToken, ONE_NODE, 100),
                        BolmoCoreRecipe.stage2(c2, oneB(), bytesPerToken, ONE_NODE, 100))) {
                    String what = "stage " + r.stage() + ", " + bytes + " bytes at " + bytesPerToken + " bytes/token";
                    int tokens = Integer.parseInt(r.env().get("SEQUENCE_LENGTH"));
                    int bytePositions = tokens * Integer.parseInt(r.env().get("BYTE_EXPANSION_FACTOR"));
                    assertEquals(0, bytePositions % chunk, what + ": " + bytePositions + " byte positions");
                    assertTrue(tokens >= 1 && tokens <= context, what + ": " + tokens + " tokens");
                    double asked = bytes / bytesPerToken;
                    assertTrue(Math.abs(tokens - asked) <= 32 || tokens == context && asked > context
                            || tokens == chunk / 2 && asked < chunk / 2.0, what + ": " + tokens + " tokens for " + asked);
                    assertEquals(16 * bytePositions, r.overrides().get("data_loader.global_batch_size"), what);
                    assertEquals(0, (int) r.overrides().get("train_module.rank_microbatch_size") % chunk, what);
                }
            }
        }
        // the figures of issue #22: 3,790 tokens (22,740 bytes) for Stage 1, 5,175 tokens (beyond the context) for Stage 2
        Stage1.Config s1 = Stage1.Config.defaults().with("batch", 32).with("bytesPerExample", 18000);
        assertEquals("3776", BolmoCoreRecipe.stage1(s1, oneB(), 18000 / 3790.0, ONE_NODE, 100).env().get("SEQUENCE_LENGTH"));
        Stage2.Config s2 = Stage2.Config.defaults().with("batch", 32).with("bytesPerExample", 24570);
        BolmoCoreRecipe capped = BolmoCoreRecipe.stage2(s2, oneB(), 24570 / 5175.0, ONE_NODE, 100);
        assertEquals("4096", capped.env().get("SEQUENCE_LENGTH"), "Ai2's own 24,576 byte positions");
        assertTrue(capped.mappings().stream().anyMatch(m -> m.note().contains("capped at the teacher's context of 4096")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BolmoCoreRecipe.stage1(
                Stage1.Config.defaults(), BolmoConfig.fromTeacher(OlmoConfig.of("olmo2", 100352, 2048, 8192, 16, 16, 16, 48),
                        100278), 4.2, ONE_NODE, 100));
        assertTrue(e.getMessage().contains("context of 48 tokens"), e.getMessage());
    }

    @Test
    void settingsWithoutEquivalentAreListed() throws IOException {
        BolmoCoreRecipe s1 = BolmoCoreRecipe.stage1(Stage1.Config.defaults().with("byteDistillWeight", 1), tiny(), 4, ONE_NODE, 100);
        assertEquals(List.of("byteDistillWeight"), s1.unmapped().stream().map(BolmoCoreRecipe.Mapping::field).toList());
        BolmoCoreRecipe s2 = BolmoCoreRecipe.stage2(Stage2.Config.defaults().with("targetBytesPerPatch", 6)
                .with("merges", Stage2.Merges.ENTROPY), tiny(), 4, ONE_NODE, 100);
        assertEquals(List.of("merges"), s2.unmapped().stream().map(BolmoCoreRecipe.Mapping::field).toList());
    }

    @Test
    void batchMustSplitOverTheGpus() throws IOException {
        BolmoConfig b = tiny();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BolmoCoreRecipe.stage1(
                Stage1.Config.defaults().with("batch", 8), b, 4, new BolmoCoreRecipe.Cluster(1, 3, 0), 100));
        assertTrue(e.getMessage().contains("batch 8") && e.getMessage().contains("= 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BolmoCoreRecipe.stage1(
                Stage1.Config.defaults().with("batch", 8), b, 4, new BolmoCoreRecipe.Cluster(1, 2, 3), 100));
        assertTrue(e.getMessage().contains("microBatch 3"), e.getMessage());
    }

    @Test
    void teacherRequirements() throws IOException {
        Path tinyDir = BuiltinModels.path(BuiltinModels.TINY);
        BpeTokenizer tinyTok = BpeTokenizer.load(tinyDir.resolve("tokenizer.json"));
        assertEquals(4, BolmoCoreRequirements.blockers(tiny(), tinyTok, tinyTok.eosId()).size());

        BpeTokenizer dolma2;
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/io/bolmo4j/tokenizer/dolma2-tokenizer.json.gz"))) {
            dolma2 = BpeTokenizer.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        OlmoConfig olmo2_1b = oneB().global;
        assertEquals(Optional.of("olmo2_1B_v2"), BolmoCoreRequirements.olmoArch(olmo2_1b));
        assertEquals(List.of(), BolmoCoreRequirements.blockers(oneB(), dolma2, dolma2.eosId()));
        OlmoConfig olmo3_7b = OlmoConfig.of("olmo2", 100352, 4096, 11008, 32, 32, 32, 65536).with("sliding_window", 4096)
                .with("model_type", "olmo3");
        assertEquals(Optional.of("olmo3_7B"), BolmoCoreRequirements.olmoArch(olmo3_7b));
        assertEquals(Optional.empty(), BolmoCoreRequirements.olmoArch(OlmoConfig.of("olmo2", 100352, 2048, 8192, 18, 16, 16, 4096)));
        // the shape alone is not the model: olmo-core fixes RoPE theta, the norms' epsilon and olmo3_7B's windows
        for (Map.Entry<OlmoConfig, String> differs : Map.of(olmo2_1b.with("rope_theta", 10000.0), "rope_theta 10000 (500000)",
                olmo2_1b.with("rms_norm_eps", 1e-5), "rms_norm_eps 1.0E-5 (1.0E-6)",
                olmo3_7b.with("sliding_window", 2048), "sliding_window 2048 (4096)").entrySet()) {
            assertEquals(Optional.empty(), BolmoCoreRequirements.olmoArch(differs.getKey()), differs.getValue());
            List<String> blockers = BolmoCoreRequirements.blockers(BolmoConfig.fromTeacher(differs.getKey(), 100278), dolma2,
                    dolma2.eosId());
            assertEquals(1, blockers.size(), blockers.toString());
            assertTrue(blockers.get(0).contains(differs.getValue()), blockers.get(0));
        }
    }

    private static void checkAgainstFixture(BolmoCoreRecipe r, String script) throws IOException {
        Map<String, Field> fields = fixture();
        for (String kv : r.dotlist()) {
            String key = kv.substring(0, kv.indexOf('=')), value = kv.substring(kv.indexOf('=') + 1);
            Field f = fields.get(key);
            assertTrue(f != null, "bolmo-core has no config field " + key);
            assertTrue(f.scripts.contains(script), key + " is not read by train_stage" + script + ".py");
            assertTrue(matches(f.type, value), key + "=" + value + " is not a " + f.type);
        }
        r.env().forEach((k, v) -> {
            Field f = fields.get("env:" + k);
            assertTrue(f != null, "train_stage" + script + ".py reads no environment variable " + k);
            assertTrue(f.scripts.contains(script), k + " is not read by train_stage" + script + ".py");
            assertTrue(matches(f.type, v.replace("'", "")), k + "=" + v + " is not a " + f.type);
        });
    }

    /** Whether an OmegaConf dotlist value parses as the fixture's type. */
    static boolean matches(String type, String v) {
        if (type.startsWith("optional[")) {
            return v.equals("null") || matches(type.substring(9, type.length() - 1), v);
        }
        if (type.startsWith("enum:")) {
            return Arrays.asList(type.substring(5).split("\\|")).contains(v);
        }
        if (type.startsWith("list[") || type.startsWith("tuple[")) {
            if (!v.startsWith("[") || !v.endsWith("]")) {
                return false;
            }
            String inner = v.substring(1, v.length() - 1);
            List<String> items = inner.isEmpty() ? List.of() : Arrays.asList(inner.split(","));
            String[] types = type.substring(type.indexOf('[') + 1, type.length() - 1).split(",");
            if (type.startsWith("tuple[") && items.size() != types.length) {
                return false;
            }
            for (int i = 0; i < items.size(); i++) {
                if (!matches(types[Math.min(i, types.length - 1)], items.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return switch (type) {
            case "int" -> v.matches("-?\\d+");
            case "float" -> v.matches("-?\\d+(\\.\\d+)?([eE]-?\\d+)?");
            case "bool" -> v.equals("true") || v.equals("false");
            case "str" -> !v.isEmpty() && !v.startsWith("[") && !v.equals("null");
            default -> throw new AssertionError("unknown fixture type " + type);
        };
    }
}
