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
        modelTransformer = SettingOptions.class)
final class ByteifyCommand implements Runnable {
    @Option(names = "--teacher", converter = ModelDir.class, required = true, description = "subword checkpoint directory (OLMo 2/3, Llama, Qwen 2.5/3; with tokenizer.json)")
    Path teacher;

    @Mixin
    StageOptions stage;

    @Override
    public void run() {
        Stage1.Config cfg = stage.config(Stage1.Config.defaults());
        stage.outputs.folder(stage.out, StageOptions.resumable("stage1"), new Outputs.Input("--teacher", teacher));
        Main.configureBackend();
        try (Olmo t = Olmo.load(teacher); Bolmo bolmo = Bolmo.byteify(t, a -> a.seed(cfg.loop().seed()))) {
            System.err.println("teacher " + t.model().config() + "; " + bolmo.model().config());
            stage.train(bolmo, "stage1", Bolmo::stage1, s -> s.config(cfg));
        }
    }
}
