package io.bolmo4j.cli;

import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.dsl.Olmo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Byteifies a subword checkpoint through the DSL: Bolmo initialised from the teacher, then Stage 1 distillation. */
@Command(name = "byteify", description = "Byteify a subword teacher (OLMo 2/3, Llama, Qwen 2.5/3): initialise Bolmo from it"
        + " and run Stage 1 distillation.",
        defaultValueProvider = StageDefaults.class)
final class ByteifyCommand implements Runnable {
    @Option(names = "--teacher", converter = ModelDir.class, required = true, description = "subword checkpoint directory (OLMo 2/3, Llama, Qwen 2.5/3; with tokenizer.json)")
    Path teacher;

    @Option(names = "--out", required = true, description = "output Bolmo directory")
    Path out;

    @Option(names = "--lr", description = "peak learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--encoder-layers", description = "global layers in the encoder loss, n (default ${DEFAULT-VALUE})")
    int encoderLayers;

    @Option(names = "--byte-distill",
            description = "weight of the byte-level distillation of the teacher's whole next-token distribution; 0 = the paper's Stage 1 (default ${DEFAULT-VALUE})")
    double byteDistill;

    @Mixin
    StageOptions stage;

    @Mixin
    Outputs outputs;

    @Override
    public void run() {
        Stage1.Config cfg = stage.config(() -> Stage1.Config.defaults().withSteps(stage.steps).withBatch(stage.batch)
                .withBytesPerExample(stage.bytes).withLr(lr).withEncoderLayers(encoderLayers).withByteDistillWeight(byteDistill)
                .withSeed(stage.seed));
        outputs.folder(out, StageOptions.resumable("stage1"), new Outputs.Input("--teacher", teacher));
        Main.configureBackend();
        try (Olmo t = Olmo.load(teacher); Bolmo bolmo = Bolmo.byteify(t, a -> a.seed(stage.seed))) {
            System.err.println("teacher " + t.model().config() + "; " + bolmo.model().config());
            stage.train(bolmo, out, "stage1", Bolmo::stage1, s -> s.config(cfg));
        }
    }
}
