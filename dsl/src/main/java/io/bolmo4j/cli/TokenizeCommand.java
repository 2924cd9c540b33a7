package io.bolmo4j.cli;

import io.bolmo4j.bolmo.BolmoTokenization;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.data.TextFile;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Tokenization;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

@Command(name = "tokenize", description = "JSON ids and token strings of a text (and UTF-8 byte offsets); for a Bolmo "
        + "directory also its 520-id byte ids.")
final class TokenizeCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class,
            description = "checkpoint directory (or tiny-olmo, tiny-olmo-instruct, tiny-qwen3, or a Hub model ORG/NAME[@REV])")
    Path dir;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ScoreCommand.Input input;

    @Option(names = "--add-special-tokens", description = "add the tokenizer's special tokens (BOS/EOS), as Hugging Face does")
    boolean addSpecialTokens;

    @Option(names = "--offsets", description = "also print each token's [start, end) UTF-8 byte offsets")
    boolean offsets;

    @Override
    public void run() {
        String text = input.text != null ? input.text : TextFile.read(input.file);
        if (BolmoCheckpoint.isBolmo(dir)) {
            BpeTokenizer subword = BolmoCheckpoint.subwordTokenizer(dir);
            System.out.println(BolmoTokenization.of(subword, text, addSpecialTokens).toJson(offsets));
        } else {
            BpeTokenizer tokenizer = BpeTokenizer.load(dir.resolve("tokenizer.json"));
            System.out.println(Tokenization.of(tokenizer, text, addSpecialTokens).toJson(offsets));
        }
    }
}
