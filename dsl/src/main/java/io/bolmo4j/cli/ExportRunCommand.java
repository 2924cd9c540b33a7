package io.bolmo4j.cli;

import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.export.BolmoCoreExport;
import io.bolmo4j.export.BolmoCoreRecipe;
import io.bolmo4j.export.ExportedRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hands a Stage 1 / Stage 2 recipe to bolmo-core: data, configuration, launch script and README in one run directory. */
@Command(name = "export-run", description = "Write a run directory for bolmo-core (Ai2's multi-GPU trainer): the data"
        + " pre-tokenized in OLMo-core's numpy format, the recipe in bolmo-core's configuration names, a torchrun launch"
        + " script and a README. Unset stage options keep the stage's defaults.",
        modelTransformer = SettingOptions.class)
final class ExportRunCommand implements Runnable {
    @Option(names = "--engine", defaultValue = "bolmo-core", description = "trainer to export for: bolmo-core (default)")
    String engine;

    @Option(names = "--teacher", converter = ModelDir.class, required = true, description = "subword checkpoint directory (with tokenizer.json)")
    Path teacher;

    @Option(names = "--stage", defaultValue = "1", description = "1 or 2 (default ${DEFAULT-VALUE})")
    int stage;

    @Option(names = "--data", required = true, arity = "1..*", description = "training text: files or directories of plain text or Dolma JSONL(.gz)")
    List<Path> data;

    @Option(names = "--out", required = true, description = "the run directory to write")
    Path out;

    @Option(names = "--local-encoder-layers", description = "mLSTM layers of the local encoder (default 1)") Integer localEncoder;
    @Option(names = "--local-decoder-layers", description = "mLSTM layers of the local decoder (default 4)") Integer localDecoder;

    @Mixin
    Outputs outputs;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        // the settings given, by name: an unset stage setting keeps the stage's default; refused before the output is claimed
        Map<String, Object> layout = SettingOptions.given(spec, BolmoCoreExport.Layout.defaults());
        Map<String, Object> settings = new LinkedHashMap<>(SettingOptions.given(spec, Stage1.Config.defaults()));
        settings.putAll(SettingOptions.given(spec, Stage2.Config.defaults()));
        List<Outputs.Input> inputs = new ArrayList<>(List.of(new Outputs.Input("--teacher", teacher)));
        data.forEach(d -> inputs.add(new Outputs.Input("--data", d)));
        outputs.folder(out, List.of(), inputs.toArray(Outputs.Input[]::new));
        ExportedRun run = Bolmo.exportRun(teacher, out, r -> {
            r.engine(engine).stage(stage).data(data.toArray(Path[]::new)).options(s -> settings.forEach(s::set));
            layout.forEach(r::set);
            if (localEncoder != null || localDecoder != null) { // what is unset keeps the default architecture
                r.architecture(a -> {
                    if (localEncoder != null) {
                        a.encoderLayers(localEncoder);
                    }
                    if (localDecoder != null) {
                        a.decoderLayers(localDecoder);
                    }
                });
            }
        });
        System.out.printf("wrote %s: %d documents, %d tokens in %d array(s), bolmo-core stage %d%n", run.dir(),
                run.data().documents(), run.data().tokens(), run.data().arrays().size(), run.stage());
        for (BolmoCoreRecipe.Mapping m : run.recipe().unmapped()) {
            System.out.println("no bolmo-core equivalent: " + m.field() + " = " + m.value() + " (" + m.note() + ")");
        }
        run.blockers().forEach(b -> System.out.println("not runnable unmodified: " + b));
        System.out.println("next: see " + run.dir().resolve("README.md") + " (install, convert-teacher.sh, launch.sh,"
                + " unshard.sh, bolmo4j import-run)");
    }
}
