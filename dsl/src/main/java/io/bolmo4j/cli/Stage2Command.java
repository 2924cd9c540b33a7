package io.bolmo4j.cli;

import io.bolmo4j.bolmo.BolmoCheckpoint;
import io.bolmo4j.bolmo.BolmoEval;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Stage2;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.olmo.LoadedOlmo;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.TrainCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Stage 2 on a byteified model: end-to-end training, optionally towards more bytes per patch. */
@Command(name = "stage2", description = "Stage 2: train a Bolmo directory end to end (optionally at a higher bytes-per-patch target).",
        defaultValueProvider = StageDefaults.class)
final class Stage2Command implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class,
            description = "Bolmo directory (e.g. from byteify) (or tiny-olmo, tiny-olmo-instruct)")
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
        List<String> texts = stage.texts();
        BpeTokenizer tok = BolmoCheckpoint.subwordTokenizer(dir);
        try (BolmoModel bolmo = BolmoCheckpoint.load(dir); LoadedOlmo t = teacher == null ? null : LoadedOlmo.load(teacher)) {
            String tokenizerJson = Files.readString(tokenizerFile(dir));
            Files.createDirectories(out);
            try (StepCsv log = new StepCsv(out.resolve("stage2_log.csv"))) {
                Stage2 stage2 = new Stage2(bolmo, tok, t == null ? null : t.model());
                stage2.checkpoints(StageOptions.checkpointDir(out, "stage2"), stage.checkpointEvery, stage.resumeAnyway);
                stage2.run(texts, cfg, log);
            }
            BolmoCheckpoint.save(bolmo, out, false, tokenizerJson);
            TrainCheckpoint.delete(StageOptions.checkpointDir(out, "stage2")); // the model is saved: a new run starts afresh
            BolmoEval.Result r = BolmoEval.evaluate(bolmo, t == null ? null : t.model(), tok,
                    BuiltinCorpus.heldOut(stage.evalBytes), BolmoEval.CHUNK_BYTES);
            HfCheckpoint.writeAtomically(out.resolve("stage2_eval.json"), (r.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
            System.out.println("held-out: " + r);
            System.out.println("wrote " + out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tokenizerFile(Path dir) {
        Path local = dir.resolve("tokenizer.json");
        if (!Files.exists(local)) {
            throw new IllegalArgumentException(dir + " has no tokenizer.json to carry over");
        }
        return local;
    }
}
