package io.bolmo4j.cli;

import io.bolmo4j.bench.ShapeBench;
import io.bolmo4j.bench.SpeedBench;
import io.bolmo4j.bench.PythonAnchor;
import io.bolmo4j.cpu.InferenceEngine;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.WeightType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;

/** The benchmarks' options: {@link SpeedBench} by default, {@link ShapeBench} with {@code --shape} or {@code --config}. */
@Command(name = "bench", description = "Benchmark: GEMM GFLOP/s, forward and decode tokens/s, model-FLOP utilisation.")
final class BenchCommand implements Runnable {
    @Option(names = "--model", converter = ModelDir.class, description = "checkpoint directory (default: a random ~6M-parameter OLMo 2)")
    Path modelDir;

    @Option(names = "--seq", defaultValue = "256", description = "forward sequence length (default ${DEFAULT-VALUE})")
    int seq;

    @Option(names = "--decode", defaultValue = "64", description = "tokens decoded per run (default ${DEFAULT-VALUE})")
    int decode;

    @Option(names = "--repeats", defaultValue = "5", description = "timed repeats per figure (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--bolmo", description = "also byteify the model and report Bolmo's Stage 1 training, prefill and decode bytes/s"
            + " next to the teacher's decode bytes/s (needs a checkpoint with tokenizer.json, or the default model)")
    boolean bolmo;

    @Option(names = "--shape", description = "a random bf16 checkpoint of a released shape: olmo2-1b, olmo3-7b, bolmo-1b, bolmo-7b,"
            + " smollm2-135m, qwen2.5-0.5b, qwen3-0.6b, llama3.2-1b (written once into the cache); reports load, memory, prefill,"
            + " decode and, for Bolmo, a merge")
    String shape;

    @Option(names = "--stage1", defaultValue = "0", description = "with a subword --shape/--config: byteify it and time this many"
            + " Stage 1 steps on the built-in corpus (speed and peak memory) instead of prefill and decode")
    int stage1Steps;

    @Option(names = "--config", description = "as --shape, for the shape of a config.json (OLMo 2/3 or Bolmo)")
    Path config;

    @Option(names = "--dtype", defaultValue = "auto", converter = WeightTypeOption.class,
            description = "with --shape/--config: weight matrices as auto (default: 2 bytes), float32 or float16")
    WeightType dtype;

    @Option(names = "--prefill", defaultValue = "128", description = "with --shape: tokens (Bolmo: bytes) of the timed forward (default ${DEFAULT-VALUE})")
    int prefill;

    @Option(names = "--verify-merge", description = "with a Bolmo --shape: compare every merged value with the in-memory merge's")
    boolean verifyMerge;

    @Option(names = "--cache", description = "folder of the random checkpoints (default: ~/.cache/bolmo4j/bench or $BOLMO4J_BENCH_CACHE)")
    Path cache;

    @Option(names = "--anchor-venv", paramLabel = "DIR", description = "a Python venv with torch and transformers: decoding"
            + " is compared with transformers on the same folder (default: $" + PythonAnchor.ENV + "; skipped without one)")
    Path anchorVenv;

    @Mixin
    EngineOption engine;

    @Override
    public void run() {
        Main.configureBackend();
        engine.apply();
        System.out.println("device " + Backend.device() + ", threads " + Backend.threads() + ", inference engine "
                + InferenceEngine.current().name().toLowerCase(Locale.ROOT));
        if (shape != null || config != null) {
            ShapeBench.Target t = shape != null ? ShapeBench.Target.published(shape) : ShapeBench.Target.ofConfig(config);
            ShapeBench.run(t, new ShapeBench.Options(dtype, prefill, Math.min(decode, 16), Math.min(repeats, 3), verifyMerge,
                    cache != null ? cache : ShapeBench.defaultCache(), PythonAnchor.find(anchorVenv, System.out), stage1Steps),
                    System.out);
            return;
        }
        SpeedBench.run(new SpeedBench.Options(modelDir, seq, decode, repeats, bolmo, anchorVenv), System.out);
    }
}
