package io.bolmo4j.cli;

import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.Safetensors;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "logits", description = "Write the logits [T, vocab] (float32) of an id sequence to a safetensors file.")
final class LogitsCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", description = "checkpoint directory")
    Path dir;

    @Option(names = "--ids", required = true, split = ",", description = "comma-separated token ids, used as given (no BOS added)")
    int[] ids;

    @Option(names = "--out", required = true, description = "output .safetensors file (tensor 'logits')")
    Path out;

    @Override
    public void run() {
        Main.configureBackend();
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
