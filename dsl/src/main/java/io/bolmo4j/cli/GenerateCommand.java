package io.bolmo4j.cli;

import io.bolmo4j.generate.SamplingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", description = "Continue a prompt, streaming the text as it is generated.")
final class GenerateCommand implements Runnable {
    @Mixin
    TextModel model;

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

    @Override
    public void run() {
        Main.configureBackend();
        SamplingOptions options = new SamplingOptions(maxNew, temperature, topK, topP, seed);
        model.apply(lm -> {
            Main.printNow(prompt); // once the model loaded: a refused model prints nothing but its error
            return lm.generate(prompt, options, Main::printNow);
        }, lm -> {
            Main.printNow(prompt);
            return lm.generate(prompt, options, Main::printNow);
        });
        System.out.println();
    }
}
