package io.bolmo4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.bolmo4j.data.TextFile;
import io.bolmo4j.olmo.TextScore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "score", description = "Log-likelihood of a text: JSON with bits_per_byte, nll_nats, bytes, tokens (bytes for Bolmo, with boundary folding).")
final class ScoreCommand implements Runnable {
    @Mixin
    TextModel model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", description = "the text to score")
        String text;

        @Option(names = "--file", description = "a UTF-8 file to score")
        Path file;
    }

    @Override
    public void run() {
        Main.configureBackend();
        String text = input.text != null ? input.text : TextFile.read(input.file);
        TextScore s = model.apply(lm -> lm.score(text), lm -> lm.score(text));
        JsonObject j = new JsonObject();
        j.addProperty("bits_per_byte", s.bitsPerByte());
        j.addProperty("nll_nats", s.nllNats());
        j.addProperty("bytes", s.bytes());
        j.addProperty("tokens", s.tokens());
        j.addProperty("perplexity", s.perplexity());
        System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(j));
    }
}
