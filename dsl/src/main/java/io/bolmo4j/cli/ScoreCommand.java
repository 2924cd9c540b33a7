package io.bolmo4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.data.TextFile;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.olmo.LoadedOlmo;
import io.bolmo4j.olmo.TextScore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

@Command(name = "score", description = "Log-likelihood of a text: JSON with bits_per_byte, nll_nats, bytes, tokens (bytes for Bolmo, with boundary folding).")
final class ScoreCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class,
            description = "checkpoint directory (or tiny-olmo, tiny-olmo-instruct)")
    Path dir;

    @Option(names = "--subword-tokenizer", paramLabel = "FILE",
            description = "Bolmo: the teacher's tokenizer.json, when the directory has none")
    Path subwordTokenizer;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", description = "the text to score")
        String text;

        @Option(names = "--file", description = "a UTF-8 file to score")
        Path file;
    }

    @Option(names = "--dtype", defaultValue = "float32", converter = WeightTypeOption.class,
            description = WeightTypeOption.DESCRIPTION)
    WeightType dtype;

    @Override
    public void run() {
        Main.configureBackend();
        String text = input.text != null ? input.text : TextFile.read(input.file);
        TextScore s;
        if (BolmoCheckpoint.isBolmo(dir)) {
            try (LoadedBolmo lm = LoadedBolmo.load(dir, subwordTokenizer, dtype)) {
                s = lm.score(text);
            }
        } else {
            try (LoadedOlmo lm = LoadedOlmo.load(dir, dtype)) {
                s = lm.score(text);
            }
        }
        JsonObject j = new JsonObject();
        j.addProperty("bits_per_byte", s.bitsPerByte());
        j.addProperty("nll_nats", s.nllNats());
        j.addProperty("bytes", s.bytes());
        j.addProperty("tokens", s.tokens());
        j.addProperty("perplexity", s.perplexity());
        System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(j));
    }
}
