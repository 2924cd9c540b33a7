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

@Command(name = "merge", description = "Task arithmetic on checkpoint directories, streamed tensor by tensor: "
        + "OUT = BOLMO + alpha (INSTRUCT - BASE) on the global layers and the final norm (paper §5.2).",
        modelTransformer = SettingOptions.class)
final class MergeCommand implements Runnable {
    @Option(names = "--bolmo", required = true, description = "the byteified model's directory")
    Path bolmo;

    @Option(names = "--instruct", required = true, converter = ModelDir.class, description = "the post-trained subword model")
    Path instruct;

    @Option(names = "--base", required = true, converter = ModelDir.class,
            description = "the subword model the Bolmo was byteified from")
    Path base;

    @Option(names = "--dry-run", description = "print what would change, write nothing")
    boolean dryRun;

    @Option(names = "--out", description = "new directory for the merged checkpoint")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        TaskVectorMerge.Options options = SettingOptions.applied(spec, TaskVectorMerge.Options.defaults());
        if (dryRun) { // the merge's own validation, so that a dry run promises only what the merge does
            print(Bolmo.planTaskVector(bolmo, instruct, base, o -> options), options.alpha());
            return;
        }
        if (out == null) {
            throw new IllegalArgumentException("--out is required (or --dry-run)");
        }
        Outputs.claim(spec, out, new Outputs.Input("--bolmo", bolmo), new Outputs.Input("--instruct", instruct),
                new Outputs.Input("--base", base));
        TaskVectorMerge.Result r = Bolmo.mergeTaskVector(bolmo, instruct, base, out, o -> options);
        System.out.printf(Locale.ROOT, "merged %d tensors (%,d values) into %s: %d weight file(s), %.1f s; "
                        + "farthest global tensor from the base: %s at %.2f %%%n", r.plan().merged().size(),
                r.plan().mergedValues(), r.out(), r.shards(), r.seconds(), r.farthestTensor(), 100 * r.baseDistance());
    }

    private void print(TaskVectorMerge.Plan p, double alpha) {
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
