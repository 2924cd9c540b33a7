package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.DType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.ParameterLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weight matrices held as 2-byte fp16 against the fp32 path, on random OLMo 3 checkpoints (sliding windows, GQA). */
public class WeightTypeTest {
    static final int[] IDS = {1, 5, 9, 2, 44, 3, 17, 60, 8, 12, 33, 7};

    @TempDir
    Path dir;

    /** Largest |a − b| over the largest |a|. */
    public static double relativeError(float[][] a, float[][] b) {
        double diff = 0, scale = 0;
        for (int t = 0; t < a.length; t++) {
            for (int v = 0; v < a[t].length; v++) {
                diff = Math.max(diff, Math.abs(a[t][v] - b[t][v]));
                scale = Math.max(scale, Math.abs(a[t][v]));
            }
        }
        return diff / scale;
    }

    private static OlmoConfig config() {
        return NaiveOlmo.olmo3(4, List.of(OlmoConfig.SLIDING, OlmoConfig.FULL, OlmoConfig.SLIDING));
    }

    @Test
    void bf16CheckpointsKeepTwoByteMatricesWithinTheDocumentedTolerance() {
        try (OlmoModel m = OlmoModel.random(config(), 7)) {
            OlmoCheckpoint.save(m, dir, true, Map.of());
        }
        try (OlmoModel f32 = OlmoCheckpoint.load(dir); OlmoModel half = OlmoCheckpoint.load(dir, WeightType.AUTO)) {
            for (Map.Entry<String, NDArray> e : half.params().asMap().entrySet()) {
                DataType want = e.getValue().getShape().dimension() == 2 ? DataType.FLOAT16 : DataType.FLOAT32;
                assertEquals(want, e.getValue().getDataType(), e.getKey());
            }
            // bf16 → fp16 is exact above 6.1e-5; the ~0.3 % of N(0, 0.02²) weights below move by ≤ 3e-8
            double err = relativeError(f32.logits(IDS), half.logits(IDS));
            assertTrue(err > 0 && err < 1e-5, "fp16 vs fp32 relative logit error " + err);
            int[] a = new OlmoGenerator(f32).generate(new int[] {1, 5}, SamplingOptions.greedy(10));
            int[] b = new OlmoGenerator(half).generate(new int[] {1, 5}, SamplingOptions.greedy(10));
            assertArrayEquals(a, b, "cached greedy decoding picks the same tokens");
        }
    }

    @Test
    void fp32CheckpointsStayExactUnderAutoAndRoundUnderFloat16() {
        try (OlmoModel m = OlmoModel.random(config(), 8)) {
            OlmoCheckpoint.save(m, dir, false, Map.of());
            float[][] want = m.logits(IDS);
            try (OlmoModel auto = OlmoCheckpoint.load(dir, WeightType.AUTO); OlmoModel half = OlmoCheckpoint.load(dir, WeightType.FLOAT16)) {
                float[][] got = auto.logits(IDS);
                for (int t = 0; t < IDS.length; t++) {
                    assertArrayEquals(want[t], got[t], "AUTO keeps an fp32 checkpoint in fp32");
                }
                double err = relativeError(want, half.logits(IDS));
                assertTrue(err > 1e-5 && err < 5e-3, "fp32 weights rounded to fp16 (11 significant bits): " + err);
            }
        }
    }

    @Test
    void bolmoGlobalMatricesFollowTheTypeAndTheLocalModelsStayFp32() {
        try (OlmoModel t = OlmoModel.random(config(), 9); BolmoModel b = Byteify.fromTeacher(t, 67, 1)) {
            BolmoCheckpoint.save(b, dir, true, "{}");
        }
        try (BolmoModel f32 = BolmoCheckpoint.load(dir); BolmoModel half = BolmoCheckpoint.load(dir, WeightType.FLOAT16)) {
            assertEquals(DataType.FLOAT16, half.params().get(ParameterLayout.layer(0) + "mlp.up_proj.weight").getDataType());
            assertEquals(DataType.FLOAT32, half.params().get("lm_head.weight").getDataType());
            assertEquals(DataType.FLOAT32, half.params().get("model.local_encoder.out_projection.weight").getDataType());
            float[] x = Ops.toFloats(f32.global().forward(f32.params().manager().randomNormal(
                    new Shape(1, 5, 32))));
            assertEquals(5 * 32, x.length);
        }
    }

    @Test
    void valuesBeyondHalfRangeAndBf16AreRefusedClearly() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        OlmoConfig cfg = OlmoConfig.of("olmo2", 8, 4, 8, 1, 2, 2, 16);
        try (OlmoModel m = OlmoModel.random(cfg, 1)) {
            m.params().asMap().forEach((k, v) -> {
                float[] d = v.toFloatArray();
                if (k.equals(ParameterLayout.LM_HEAD)) {
                    d[3] = 70000f;
                }
                t.put(k, HostTensor.bf16(d, v.getShape().getShape()));
            });
        }
        HfCheckpoint.save(dir, cfg.toJson(), t, 1 << 20, Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> OlmoCheckpoint.load(dir, WeightType.AUTO));
        assertTrue(e.getMessage().contains("'lm_head.weight'") && e.getMessage().contains("float32"), e.getMessage());
        try (OlmoModel ok = OlmoCheckpoint.load(dir)) {
            assertEquals(DType.bf16ToFloat(DType.floatToBf16(70000f)), ok.params().get(ParameterLayout.LM_HEAD).toFloatArray()[3],
                    "float32 loads it (as its bf16 rounding)");
        }
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> WeightType.parse("bfloat16"));
        assertTrue(p.getMessage().contains("float16"), p.getMessage());
        assertEquals(WeightType.FLOAT16, WeightType.parse("float16"));
    }
}
