package io.bolmo4j.cli;

import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Document;
import io.bolmo4j.data.InstructionTasks;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.olmo.LoadedOlmo;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.OlmoPretrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Post-trains an OLMo on the instruction-style task mix (chat template of {@link InstructionTasks}) with some plain
 * corpus text against forgetting, then reports base vs. post-trained exact match on held-out prompts.
 */
@Command(name = "finetune", description = "Post-train an OLMo on instruction-style tasks; report held-out accuracy before and after."
        + " Validations and checkpoints come at each quarter of the steps unless --eval-every / --checkpoint-every say otherwise.",
        modelTransformer = SettingOptions.class)
final class FinetuneCommand implements Runnable {
    /** Pretraining's settings as post-training changes them; validations and checkpoints at each quarter of the run. */
    static final OlmoPretrainer.Config DEFAULTS = OlmoPretrainer.Config.defaults().with("steps", 300).with("batch", 16)
            .with("context", 128).with("lr", 1e-3).with("weightDecay", 0.0).with("seed", 99).with("evalEvery", 75)
            .with("checkpointEvery", 75).with("evalWindows", 32);

    @Option(names = "--base", converter = ModelDir.class, required = true, description = "base OLMo directory (with tokenizer.json)")
    Path base;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Option(names = "--examples", defaultValue = "30000", description = "instruction examples (default ${DEFAULT-VALUE})")
    int examples;

    @Option(names = "--corpus-fraction", defaultValue = "0.1", description = "share of plain corpus documents (default ${DEFAULT-VALUE})")
    double corpusFraction;

    @Option(names = "--eval-per-task", defaultValue = "50", description = "held-out prompts per task (default ${DEFAULT-VALUE})")
    int evalPerTask;

    @Spec
    CommandSpec spec;

    @Mixin
    Outputs outputs;

    @Override
    public void run() {
        OlmoPretrainer.Config cfg = SettingOptions.config(spec, DEFAULTS);
        ParseResult given = spec.commandLine().getParseResult();
        int quarter = Math.max(1, cfg.loop().steps() / 4);
        cfg = cfg.with("evalEvery", given.hasMatchedOption("--eval-every") ? cfg.evalEvery() : quarter)
                .with("checkpointEvery", given.hasMatchedOption("--checkpoint-every") ? cfg.checkpointEvery() : quarter);
        long seed = cfg.loop().seed();
        outputs.folder(out, OlmoPretrainer.resumable(), new Outputs.Input("--base", base));
        Main.configureBackend();
        InstructionTasks tasks = InstructionTasks.builtin(BpeTokenizer.load(base.resolve("tokenizer.json")));
        List<InstructionTasks.Example> heldOut = tasks.heldOut(evalPerTask, seed);
        List<Document> train = new ArrayList<>(tasks.training(examples, seed));
        List<Document> corpus = new ArrayList<>(BuiltinCorpus.train().toList());
        Collections.shuffle(corpus, new Random(seed));
        long instructBytes = train.stream().mapToLong(d -> d.text().length()).sum();
        long want = (long) (instructBytes * corpusFraction / (1 - corpusFraction)), have = 0;
        for (Document d : corpus) {
            if (have >= want) {
                break;
            }
            train.add(d);
            have += d.text().length();
        }
        Collections.shuffle(train, new Random(seed + 1));
        try (LoadedOlmo lm = LoadedOlmo.load(base)) {
            InstructionTasks.Accuracy before = InstructionTasks.exactMatch(lm::generate, heldOut);
            System.out.println("base     : " + before);
            new OlmoPretrainer(lm.model(), lm.tokenizer(), train, BuiltinCorpus.validation().toList(), cfg)
                    .startsFrom("base " + base).run(out, Files.readString(base.resolve("tokenizer.json")));
            InstructionTasks.Accuracy after = InstructionTasks.exactMatch(lm::generate, heldOut);
            System.out.println("finetuned: " + after);
            HfCheckpoint.writeAtomically(out.resolve("instruct_eval.txt"),
                    ("base      " + before + "\nfinetuned " + after + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
