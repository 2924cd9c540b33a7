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
        modelTransformer = SettingOptions.class)
final class Stage2Command implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class,
            description = "Bolmo directory (e.g. from byteify) (or tiny-olmo, tiny-olmo-instruct, tiny-qwen3, or a Hub model ORG/NAME[@REV])")
    Path dir;

    @Option(names = "--teacher", converter = ModelDir.class, description = "the subword teacher, for the report's teacher"
            + " bits/byte (optional; entropy merges need it)")
    Path teacher;

    @Mixin
    StageOptions stage;

    @Override
    public void run() {
        Stage2.Config cfg = stage.config(Stage2.Config.defaults());
        stage.outputs.folder(stage.out, StageOptions.resumable("stage2"), new Outputs.Input("DIR", dir),
                new Outputs.Input("--teacher", teacher));
        Main.configureBackend();
        try (Olmo t = teacher == null ? null : Olmo.load(teacher); Bolmo bolmo = Bolmo.load(dir).teacher(t)) {
            stage.train(bolmo, "stage2", Bolmo::stage2, s -> s.config(cfg));
        }
    }
}
