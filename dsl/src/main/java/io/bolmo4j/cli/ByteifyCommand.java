package io.bolmo4j.cli;

import io.bolmo4j.bolmo.BolmoCheckpoint;
import io.bolmo4j.bolmo.BolmoEval;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.Stage1;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.olmo.LoadedOlmo;
import io.bolmo4j.train.TrainCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Byteifies an OLMo checkpoint: Bolmo initialised from the teacher, then Stage 1 distillation. */
@Command(name = "byteify", description = "Byteify an OLMo 2/3 teacher: initialise Bolmo from it and run Stage 1 distillation.",
        defaultValueProvider = StageDefaults.class)
final class ByteifyCommand implements Runnable {
    @Option(names = "--teacher", converter = ModelDir.class, required = true, description = "OLMo checkpoint directory (with tokenizer.json)")
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
        List<String> texts = stage.texts();
        List<String> heldOut = BuiltinCorpus.heldOut(stage.evalBytes);
        try (LoadedOlmo t = LoadedOlmo.load(teacher);
             BolmoModel bolmo = Byteify.fromTeacher(t.model(), t.tokenizer().vocabSize(), stage.seed)) {
            System.err.println("teacher " + t.model().config() + "; " + bolmo.config());
            Files.createDirectories(out);
            try (StepCsv log = new StepCsv(out.resolve("stage1_log.csv"))) {
                Stage1 stage1 = new Stage1(bolmo, t.model(), t.tokenizer());
                stage1.checkpoints(StageOptions.checkpointDir(out, "stage1"), stage.checkpointEvery, stage.resumeAnyway);
                stage1.run(texts, cfg, log);
            }
            BolmoCheckpoint.save(bolmo, out, false, Files.readString(teacher.resolve("tokenizer.json")));
            TrainCheckpoint.delete(StageOptions.checkpointDir(out, "stage1")); // the model is saved: a new run starts afresh
            BolmoEval.Result r = BolmoEval.evaluate(bolmo, t.model(), t.tokenizer(), heldOut, BolmoEval.CHUNK_BYTES);
            HfCheckpoint.writeAtomically(out.resolve("stage1_eval.json"), (r.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
            System.out.println("held-out: " + r);
            System.out.println("wrote " + out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
