package io.bolmo4j.cli;

import io.bolmo4j.bolmo.eval.BolmoEval;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Map;

/**
 * The stage commands' option defaults, read from {@link Stage1.Config#defaults()} / {@link Stage2.Config#defaults()}
 * and {@link BolmoEval}: the DSL starts from the same records, so the two cannot drift apart.
 */
final class StageDefaults implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        Object value = (arg.command().name().equals("stage2") ? stage2() : stage1()).get(option.longestName());
        return value == null ? null : String.valueOf(value);
    }

    private static Map<String, Object> stage1() {
        Stage1.Config c = Stage1.Config.defaults();
        return Map.of("--steps", c.steps(), "--batch", c.batch(), "--bytes", c.bytesPerExample(), "--lr", c.lr(),
                "--encoder-layers", c.encoderLayers(), "--byte-distill", c.byteDistillWeight(), "--seed", c.seed(),
                "--eval-bytes", BolmoEval.DEFAULT_HELD_OUT);
    }

    private static Map<String, Object> stage2() {
        Stage2.Config c = Stage2.Config.defaults();
        return Map.of("--steps", c.steps(), "--batch", c.batch(), "--bytes", c.bytesPerExample(), "--lr", c.lr(),
                "--target-bytes-per-patch", c.targetBytesPerPatch(), "--compression-steps", c.compressionSteps(),
                "--merges", c.merges(), "--seed", c.seed(), "--eval-bytes", BolmoEval.DEFAULT_HELD_OUT);
    }
}
