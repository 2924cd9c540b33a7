package io.bolmo4j.cli;

import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.olmo.OlmoCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;

@Command(name = "info", description = "Architecture summary and parameter count of a subword (OLMo 2/3, Llama, Qwen 2.5/3) or Bolmo checkpoint directory.")
final class InfoCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class,
            description = "Hugging Face checkpoint directory (or tiny-olmo, tiny-olmo-instruct, tiny-qwen3, or a Hub model ORG/NAME[@REV])")
    Path dir;

    @Override
    public void run() {
        if (BolmoCheckpoint.isBolmo(dir)) {
            BolmoConfig c = BolmoCheckpoint.config(dir);
            System.out.println(dir);
            System.out.println("  architecture : " + c);
            System.out.println("  teacher      : " + c.teacherFamily() + " (the global model's layers)");
            System.out.printf(Locale.ROOT, "  parameters   : %,d (%.2f M)%n", c.parameterCount(), c.parameterCount() / 1e6);
            System.out.println("  byte vocab   : 520 (4 specials + 256 bytes, plain and fused)");
            return;
        }
        OlmoCheckpoint.Summary s = OlmoCheckpoint.summary(dir);
        System.out.println(dir);
        System.out.println("  architecture : " + s.config());
        System.out.printf(Locale.ROOT, "  parameters   : %,d (%.2f M)%n", s.parameters(), s.parameters() / 1e6);
        System.out.println("  weights      : " + s.weights());
        System.out.println("  tokenizer    : " + s.tokenizer());
    }
}
