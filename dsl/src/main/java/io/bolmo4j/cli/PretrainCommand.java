package io.bolmo4j.cli;

import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.CuteTasks;
import io.bolmo4j.data.Document;
import io.bolmo4j.olmo.FamilyVocabulary;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.Cl100kVocab;
import io.bolmo4j.train.OlmoPretrainer;
import io.bolmo4j.train.Setting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** Trains a built-in teacher (tiny-olmo, tiny-qwen3, or any small model of a family) from scratch on the built-in corpus. */
@Command(name = "pretrain", description = "Pretrain a small OLMo 2 (or Qwen 3, Llama) from scratch on the built-in corpus"
        + " (resumes if OUT/checkpoint exists).",
        modelTransformer = SettingOptions.class)
final class PretrainCommand implements Runnable {
    @Option(names = "--out", required = true, description = "output directory (HF layout + train_log.csv + checkpoint/)")
    Path out;

    @Option(names = "--arch", defaultValue = "olmo2", description = "architecture (model_type): olmo2 (tiny-olmo), qwen3"
            + " (tiny-qwen3: tied embeddings, per-head QK-norm, GQA, Qwen's special tokens), qwen2, llama (default ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--resume-anyway", description = "continue OUT/checkpoint although it was made with other options"
            + " (they are listed); without it such a run is refused")
    boolean resumeAnyway;

    @Spec
    CommandSpec spec;

    @Mixin
    Outputs outputs;

    /** The model and data pretrained, derived into {@code --vocab --d --layers --heads --ffn --cute-fraction}. */
    record Shape(
            @Setting("leading cl100k ranks in the tokenizer") int vocab,
            @Setting("hidden size") int d,
            @Setting("layers") int layers,
            @Setting("attention heads") int heads,
            @Setting("SwiGLU width") int ffn,
            @Setting("share of CUTE-style task documents") double cuteFraction) {
        static final Shape DEFAULTS = new Shape(4096, 256, 4, 4, 704, 0.03);
    }

    @Override
    public void run() {
        OlmoConfig.Family family = OlmoConfig.Family.of(arch, "--arch");
        OlmoPretrainer.Config pc = SettingOptions.config(spec, OlmoPretrainer.Config.defaults());
        Shape shape = SettingOptions.config(spec, Shape.DEFAULTS);
        long seed = pc.loop().seed();
        outputs.folder(out, OlmoPretrainer.resumable());
        Main.configureBackend();
        FamilyVocabulary fv = FamilyVocabulary.of(family, shape.vocab());
        Cl100kVocab v = fv.vocab();
        OlmoConfig cfg = OlmoPretrainer.teacherConfig(family, v.tokenizer(), shape.d(), shape.layers(), shape.heads(), shape.ffn(), 1024);
        List<Document> train = new ArrayList<>(BuiltinCorpus.train().toList());
        long bytes = train.stream().mapToLong(x -> x.text().length()).sum();
        long cuteBytes = 0;
        Iterator<Document> cute = CuteTasks.builtin().documents(seed);
        while (cuteBytes < bytes * shape.cuteFraction()) {
            Document doc = cute.next();
            train.add(doc);
            cuteBytes += doc.text().length();
        }
        try (OlmoModel model = OlmoModel.random(cfg, seed)) {
            OlmoPretrainer p = new OlmoPretrainer(model, v.tokenizer(), train, BuiltinCorpus.validation().toList(), pc)
                    .startsFrom("a new " + cfg + " of seed " + seed);
            System.err.printf(Locale.ROOT, "%s, %,d parameters, %,d training tokens (%.1f%% CUTE-style), %d steps x %d x %d tokens%n",
                    cfg, cfg.parameterCount(), p.trainTokens(), 100.0 * cuteBytes / (bytes + cuteBytes), pc.loop().steps(),
                    pc.loop().batch(), pc.context());
            double bpb = p.run(out, fv.files(), resumeAnyway);
            System.out.printf(Locale.ROOT, "validation bits/byte %.4f; wrote %s%n", bpb, out);
        }
    }
}
