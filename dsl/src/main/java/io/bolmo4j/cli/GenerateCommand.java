package io.bolmo4j.cli;

import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.olmo.LoadedOlmo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.function.Consumer;

@Command(name = "generate", description = "Continue a prompt, streaming the text as it is generated.")
final class GenerateCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class,
            description = "checkpoint directory (or tiny-olmo, tiny-olmo-instruct)")
    Path dir;

    @Option(names = "--subword-tokenizer", paramLabel = "FILE",
            description = "Bolmo: the teacher's tokenizer.json, when the directory has none")
    Path subwordTokenizer;

    @Option(names = "--prompt", required = true, description = "text to continue")
    String prompt;

    @Option(names = "--max-new", defaultValue = "100", description = "new tokens (bytes for Bolmo) at most (default ${DEFAULT-VALUE})")
    int maxNew;

    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "keep the k most likely tokens, 0 = off")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "nucleus sampling mass (default ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--dtype", defaultValue = "float32", converter = WeightTypeOption.class,
            description = WeightTypeOption.DESCRIPTION)
    WeightType dtype;

    @Override
    public void run() {
        Main.configureBackend();
        SamplingOptions options = new SamplingOptions(maxNew, temperature, topK, topP, seed);
        Consumer<String> print = piece -> {
            System.out.print(piece);
            System.out.flush();
        };
        System.out.print(prompt);
        System.out.flush();
        if (BolmoCheckpoint.isBolmo(dir)) {
            try (LoadedBolmo lm = LoadedBolmo.load(dir, subwordTokenizer, dtype)) {
                lm.generate(prompt, options, print);
            }
        } else {
            try (LoadedOlmo lm = LoadedOlmo.load(dir, dtype)) {
                lm.generate(prompt, options, print);
            }
        }
        System.out.println();
    }
}
