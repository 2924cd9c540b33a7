package io.bolmo4j.cli;

import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.data.TextFile;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.Safetensors;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "logits", description = {
        "Write raw model outputs to a safetensors file, for comparison with other implementations.",
        "OLMo: --ids 1,2,3 -> tensor 'logits' [T, vocab] (float32) for exactly those ids (no BOS added).",
        "Bolmo: --text T | --file F -> 'logits' [L, 520], 'boundary_logprob' [L], 'boundaries' [L] (0/1) and 'ids' [L]"
                + " for the BOS-prefixed bytes of the text, boundaries predicted over the whole text."})
final class LogitsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class,
            description = "OLMo or Bolmo checkpoint directory (or tiny-olmo, tiny-olmo-instruct, tiny-qwen3, or a Hub model ORG/NAME[@REV])")
    Path dir;

    @Option(names = "--ids", split = ",", description = "OLMo: comma-separated token ids")
    int[] ids;

    @Option(names = "--text", description = "Bolmo: the text")
    String text;

    @Option(names = "--file", description = "Bolmo: a UTF-8 file")
    Path file;

    @Option(names = "--out", required = true, description = "output .safetensors file")
    Path out;

    @Mixin
    Outputs outputs;

    @Override
    public void run() {
        outputs.file(out, new Outputs.Input("DIR", dir), new Outputs.Input("--file", file));
        Main.configureBackend();
        if (BolmoCheckpoint.isBolmo(dir)) {
            if ((text == null) == (file == null) || ids != null) {
                throw new ParameterException(spec.commandLine(), "a Bolmo directory takes exactly one of --text or --file");
            }
            String t = text != null ? text : TextFile.read(file);
            try (LoadedBolmo lm = LoadedBolmo.load(dir)) {
                LoadedBolmo.Logits l = lm.logits(t);
                l.write(out);
                System.out.println("wrote logits [" + l.ids().length + ", 520], boundary_logprob, boundaries to " + out);
            }
            return;
        }
        if (ids == null || text != null || file != null) {
            throw new ParameterException(spec.commandLine(), "an OLMo directory takes --ids (token ids)");
        }
        try (OlmoModel model = OlmoCheckpoint.load(dir)) {
            float[][] logits = model.logits(ids);
            int vocab = model.config().vocabSize;
            float[] flat = new float[ids.length * vocab];
            for (int t = 0; t < ids.length; t++) {
                System.arraycopy(logits[t], 0, flat, t * vocab, vocab);
            }
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            tensors.put("logits", HostTensor.f32(flat, ids.length, vocab));
            Safetensors.write(out, tensors, Map.of("ids", Arrays.toString(ids)));
            System.out.println("wrote logits [" + ids.length + ", " + vocab + "] to " + out);
        }
    }
}
