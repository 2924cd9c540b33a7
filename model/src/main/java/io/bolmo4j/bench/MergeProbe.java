package io.bolmo4j.bench;

import io.bolmo4j.bolmo.merge.TaskVectorMerge;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs one out-of-core merge in its own JVM and prints its seconds and this process's peak resident memory, so a
 * benchmark's figure is the merge's own (not the parent's loaded models). Arguments: BOLMO INSTRUCT BASE OUT.
 */
public final class MergeProbe {
    private MergeProbe() {}

    public static void main(String[] args) {
        // the benchmark's checkpoints are random, so their distances mean nothing: only time and memory are measured
        TaskVectorMerge.Options unchecked = TaskVectorMerge.Options.defaults().with("maxBaseDistance", Double.MAX_VALUE)
                .with("maxTaskVector", Double.MAX_VALUE);
        TaskVectorMerge.Result r;
        try {
            r = TaskVectorMerge.merge(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), unchecked);
        } catch (RuntimeException e) {
            System.err.println(e.getMessage()); // the parent reports the last line
            System.exit(1);
            return;
        }
        System.out.printf(Locale.ROOT, "seconds %.3f peak %d values %d%n", r.seconds(), Memory.peakResident(),
                r.plan().mergedValues());
    }
}
