package io.bolmo4j.cli;

import io.bolmo4j.bolmo.merge.TaskVectorMerge;
import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.io.TensorSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

@Command(name = "merge", description = "Task arithmetic on checkpoint directories, streamed tensor by tensor: "
        + "OUT = BOLMO + alpha (INSTRUCT - BASE) on the global layers and the final norm (paper §5.2).")
final class MergeCommand implements Runnable {
    @Option(names = "--bolmo", required = true, description = "the byteified model's directory")
    Path bolmo;

    @Option(names = "--instruct", required = true, converter = ModelDir.class, description = "the post-trained subword model")
    Path instruct;

    @Option(names = "--base", required = true, converter = ModelDir.class,
            description = "the subword model the Bolmo was byteified from")
    Path base;

    @Option(names = "--alpha", defaultValue = "1.0", description = "task vector weight (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--max-base-distance", defaultValue = "" + TaskVectorMerge.DEFAULT_MAX_BASE_DISTANCE,
            description = "largest relative L2 distance of a global tensor of BASE from the Bolmo's (default ${DEFAULT-VALUE})")
    double maxBaseDistance;

    @Option(names = "--max-task-vector", defaultValue = "" + TaskVectorMerge.DEFAULT_MAX_TASK_VECTOR,
            description = "largest relative L2 distance of a global tensor of INSTRUCT from BASE's; an unrelated model is"
                    + " ~1.4 away (default ${DEFAULT-VALUE})")
    double maxTaskVector;

    @Option(names = "--dry-run", description = "print what would change, write nothing")
    boolean dryRun;

    @Option(names = "--out", description = "new directory for the merged checkpoint")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        UnaryOperator<TaskVectorMerge.Options> options = o -> o.withAlpha(alpha).withMaxBaseDistance(maxBaseDistance)
                .withMaxTaskVector(maxTaskVector);
        if (dryRun) { // the merge's own validation, so that a dry run promises only what the merge does
            print(Bolmo.planTaskVector(bolmo, instruct, base, options));
            return;
        }
        if (out == null) {
            throw new IllegalArgumentException("--out is required (or --dry-run)");
        }
        Outputs.claim(spec, out, new Outputs.Input("--bolmo", bolmo), new Outputs.Input("--instruct", instruct),
                new Outputs.Input("--base", base));
        TaskVectorMerge.Result r = Bolmo.mergeTaskVector(bolmo, instruct, base, out, options);
        System.out.printf(Locale.ROOT, "merged %d tensors (%,d values) into %s: %d weight file(s), %.1f s; "
                        + "farthest global tensor from the base: %s at %.2f %%%n", r.plan().merged().size(),
                r.plan().mergedValues(), r.out(), r.shards(), r.seconds(), r.farthestTensor(), 100 * r.baseDistance());
    }

    private void print(TaskVectorMerge.Plan p) {
        System.out.printf(Locale.ROOT, "would add %s x (%s - %s) to %d tensors (%,d values) of %s:%n",
                alpha, instruct, base, p.merged().size(), p.mergedValues(), bolmo);
        for (Map.Entry<String, TensorSpec> e : p.merged().entrySet()) {
            System.out.println("  " + e.getKey() + " " + e.getValue());
        }
        System.out.printf(Locale.ROOT, "would copy %d tensors unchanged:%n", p.kept().size());
        p.kept().forEach((n, why) -> System.out.println("  " + n + " (" + why + ")"));
        System.out.printf(Locale.ROOT, "would write %,d bytes of weights%s and copy %s%n", p.outputBytes(),
                out == null ? "" : " to " + out, String.join(", ", p.copiedFiles()));
    }
}
