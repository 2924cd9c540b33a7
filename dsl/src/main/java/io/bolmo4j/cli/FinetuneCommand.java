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
import picocli.CommandLine.Option;

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
@Command(name = "finetune", description = "Post-train an OLMo on instruction-style tasks; report held-out accuracy before and after.")
final class FinetuneCommand implements Runnable {
    @Option(names = "--base", converter = ModelDir.class, required = true, description = "base OLMo directory (with tokenizer.json)")
    Path base;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Option(names = "--steps", defaultValue = "300", description = "steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", defaultValue = "16", description = "sequences per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--context", defaultValue = "128", description = "tokens per sequence (default ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--examples", defaultValue = "30000", description = "instruction examples (default ${DEFAULT-VALUE})")
    int examples;

    @Option(names = "--corpus-fraction", defaultValue = "0.1", description = "share of plain corpus documents (default ${DEFAULT-VALUE})")
    double corpusFraction;

    @Option(names = "--eval-per-task", defaultValue = "50", description = "held-out prompts per task (default ${DEFAULT-VALUE})")
    int evalPerTask;

    @Option(names = "--seed", defaultValue = "99", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    Outputs outputs;

    @Override
    public void run() {
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
            OlmoPretrainer.Config cfg = OlmoPretrainer.Config.defaults().with("steps", steps).with("batch", batch)
                    .with("context", context).with("lr", lr).with("weightDecay", 0.0).with("seed", seed)
                    .with("evalEvery", Math.max(1, steps / 4)).with("checkpointEvery", Math.max(1, steps / 4)).with("evalWindows", 32);
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
