package io.bolmo4j.cli;

import io.bolmo4j.generate.SamplingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", description = "Continue a prompt, streaming the text as it is generated.",
        modelTransformer = SettingOptions.class)
final class GenerateCommand implements Runnable {
    @Mixin
    TextModel model;

    @Option(names = "--prompt", required = true, description = "text to continue")
    String prompt;

    @Override
    public void run() {
        SamplingOptions options = model.sampling();
        Main.configureBackend();
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
