package io.bolmo4j.cli;

import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.olmo.LoadedOlmo;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.olmo.TextScore;
import io.bolmo4j.tokenizer.Cl100kVocab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The end-to-end tour on a checkpoint the command makes itself: write an OLMo 2 directory in Hugging Face layout
 * (cl100k-prefix tokenizer, random weights), then load it back for info, generation and scoring.
 */
@Command(name = "demo", description = "Write a small OLMo 2 checkpoint, then show info, generation and scoring on it.")
final class DemoCommand implements Runnable {
    @Option(names = "--out", defaultValue = "runs/demo-olmo", description = "checkpoint directory (default ${DEFAULT-VALUE})")
    Path out;

    @Override
    public void run() {
        Main.configureBackend();
        if (!Files.exists(out.resolve("config.json"))) {
            Cl100kVocab vocab = Cl100kVocab.firstRanks(8192);
            int ids = vocab.tokenizer().vocabSize();
            OlmoConfig cfg = OlmoConfig.of("olmo2", (ids + 127) / 128 * 128, 256, 768, 4, 4, 4, 1024)
                    .with("eos_token_id", vocab.specialTokens().get("<|endoftext|>"))
                    .with("pad_token_id", vocab.specialTokens().get("<|pad|>"));
            try (OlmoModel m = OlmoModel.random(cfg, 2025)) {
                OlmoCheckpoint.save(m, out, true, Map.of("tokenizer.json", vocab.toJson().getBytes(StandardCharsets.UTF_8)));
            }
            System.out.println("wrote " + out + " (random weights: generations are noise until you load a trained model)");
        }
        new InfoCommand().dirRun(out);
        try (LoadedOlmo lm = LoadedOlmo.load(out)) {
            String prompt = "The state of the union is";
            System.out.println("\ngenerate> " + prompt);
            System.out.print(prompt);
            lm.generate(prompt, new SamplingOptions(24, 0.8, 0, 0.95, 0), piece -> System.out.print(piece));
            System.out.println();
            String text = "We hold these truths to be self-evident, that all men are created equal.";
            TextScore s = lm.score(text);
            System.out.printf(Locale.ROOT, "%nscore> %s%n  %d bytes, %d tokens, %.3f bits/byte, perplexity %.1f"
                    + " (uniform over the vocabulary would be %.1f)%n", text, s.bytes(), s.tokens(), s.bitsPerByte(),
                    s.perplexity(), (double) lm.model().config().vocabSize);
        }
    }
}
