package io.bolmo4j.cli;

import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.dsl.Olmo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** Stage 2 on a byteified model through the DSL: end-to-end training, optionally towards more bytes per patch. */
@Command(name = "stage2", description = "Stage 2: train a Bolmo directory end to end (optionally at a higher bytes-per-patch target).",
        defaultValueProvider = StageDefaults.class)
final class Stage2Command implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class,
            description = "Bolmo directory (e.g. from byteify) (or tiny-olmo, tiny-olmo-instruct, tiny-qwen3)")
    Path dir;

    @Option(names = "--out", required = true, description = "output Bolmo directory")
    Path out;

    @Option(names = "--teacher", converter = ModelDir.class, description = "the OLMo teacher, for the report's teacher bits/byte (optional)")
    Path teacher;

    @Option(names = "--lr", description = "local learning rate; the global model gets half (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--target-bytes-per-patch", description = "0 = subword boundaries; e.g. 6 for higher compression (default ${DEFAULT-VALUE})")
    double target;

    @Option(names = "--compression-steps", description = "steps to reach the target ratio; 0 = all (default ${DEFAULT-VALUE})")
    int compressionSteps;

    @Option(names = "--merges", description = "compression targets: ${COMPLETION-CANDIDATES} (entropy ones need --teacher; default ${DEFAULT-VALUE})")
    Stage2.Merges merges;

    @Mixin
    StageOptions stage;

    @Mixin
    Outputs outputs;

    @Override
    public void run() {
        Stage2.Config cfg = stage.config(() -> Stage2.Config.defaults().withSteps(stage.steps).withBatch(stage.batch)
                .withBytesPerExample(stage.bytes).withLr(lr).withTargetBytesPerPatch(target)
                .withCompressionSteps(compressionSteps).withMerges(merges).withSeed(stage.seed));
        outputs.folder(out, StageOptions.resumable("stage2"), new Outputs.Input("DIR", dir), new Outputs.Input("--teacher", teacher));
        Main.configureBackend();
        try (Olmo t = teacher == null ? null : Olmo.load(teacher); Bolmo bolmo = Bolmo.load(dir).teacher(t)) {
            stage.train(bolmo, out, "stage2", Bolmo::stage2, s -> s.config(cfg));
        }
    }
}
