package io.bolmo4j.cli;

import io.bolmo4j.chat.ChatModel;
import io.bolmo4j.chat.Message;
import io.bolmo4j.generate.SamplingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

@Command(name = "chat", description = "Chat with a model in its own chat template: one answer with --message, else a"
        + " conversation read line by line from the terminal (an empty line or end of input ends it).",
        modelTransformer = SettingOptions.class)
final class ChatCommand implements Runnable {
    @Mixin
    TextModel model;

    @Option(names = "--system", description = "system message")
    String system;

    @Option(names = "--message", description = "one user message: print the answer and exit")
    String message;

    @Override
    public void run() {
        SamplingOptions options = model.sampling();
        Main.configureBackend();
        model.apply(lm -> converse(lm, options), lm -> converse(lm, options));
    }

    /** One answer to {@code --message}, else a conversation on the terminal; returns the messages exchanged. */
    private List<Message> converse(ChatModel lm, SamplingOptions options) {
        List<Message> history = new ArrayList<>();
        if (system != null) {
            history.add(Message.system(system));
        }
        if (message != null) {
            history.add(Message.user(message));
            lm.chat(history, options, Main::printNow);
            System.out.println();
            return history;
        }
        StdinLines in = new StdinLines(System.in);
        for (String line = prompt(in); line != null && !line.isBlank(); line = prompt(in)) {
            history.add(Message.user(line));
            history.add(Message.assistant(lm.chat(history, options, Main::printNow)));
            System.out.println();
        }
        return history;
    }

    private static String prompt(StdinLines in) {
        Main.printNow("> ");
        return in.next();
    }
}
