package io.bolmo4j.cli;

import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.chat.ChatModel;
import io.bolmo4j.chat.Message;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.olmo.LoadedOlmo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

@Command(name = "chat", description = "Chat with a model in its own chat template: one answer with --message, else a"
        + " conversation read line by line from the terminal (an empty line or end of input ends it).")
final class ChatCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class, description = "OLMo or Bolmo checkpoint directory")
    Path dir;

    @Option(names = "--system", description = "system message")
    String system;

    @Option(names = "--message", description = "one user message: print the answer and exit")
    String message;

    @Option(names = "--subword-tokenizer", paramLabel = "FILE",
            description = "Bolmo: the teacher's tokenizer.json, when the directory has none")
    Path subwordTokenizer;

    @Option(names = "--max-new", defaultValue = "200", description = "new tokens (bytes for Bolmo) per answer (default ${DEFAULT-VALUE})")
    int maxNew;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "nucleus sampling mass (default ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public void run() {
        Main.configureBackend();
        SamplingOptions options = new SamplingOptions(maxNew, temperature, 0, topP, seed);
        List<Message> history = new ArrayList<>();
        if (system != null) {
            history.add(Message.system(system));
        }
        try (ChatModel model = BolmoCheckpoint.isBolmo(dir) ? LoadedBolmo.load(dir, subwordTokenizer) : LoadedOlmo.load(dir)) {
            if (message != null) {
                history.add(Message.user(message));
                model.chat(history, options, Main::printNow);
                System.out.println();
                return;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = prompt(in); line != null && !line.isBlank(); line = prompt(in)) {
                history.add(Message.user(line));
                history.add(Message.assistant(model.chat(history, options, Main::printNow)));
                System.out.println();
            }
        }
    }

    private static String prompt(BufferedReader in) {
        Main.printNow("> ");
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
