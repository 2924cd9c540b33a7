package io.bolmo4j.export;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The scripts and README of a run directory (text only; {@link BolmoCoreExport} writes them). */
final class RunFiles {
    private RunFiles() {}

    private static final String HEADER = """
            #!/usr/bin/env bash
            # Written by bolmo4j export-run for allenai/bolmo-core@%s.
            set -euo pipefail
            RUN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
            : "${BOLMO_CORE:?set BOLMO_CORE to a checkout of allenai/bolmo-core at %s}"
            """;

    static String launch(ExportedRun run, BolmoCoreRecipe.Cluster cluster) {
        StringBuilder s = new StringBuilder(header());
        s.append("# Stage ").append(run.stage()).append(" on ").append(cluster.nodes()).append(" node(s) x ")
                .append(cluster.gpusPerNode()).append(" GPU(s). Run on every node with NODE_RANK (0..")
                .append(cluster.nodes() - 1).append(") and MASTER_ADDR (node 0) set.\n");
        if (!run.blockers().isEmpty()) {
            s.append("if [ \"${BOLMO4J_FORCE:-0}\" != 1 ]; then\n  cat >&2 <<'EOF'\nbolmo-core at this revision cannot run this"
                    + " teacher unmodified (see README.md); set BOLMO4J_FORCE=1 once you have adapted it:\n");
            run.blockers().forEach(b -> s.append("- ").append(b).append('\n'));
            s.append("EOF\n  exit 1\nfi\n");
        }
        s.append("NODES=").append(cluster.nodes()).append("\nGPUS_PER_NODE=").append(cluster.gpusPerNode()).append('\n');
        s.append("""
                NODE_RANK="${NODE_RANK:-0}"
                MASTER_ADDR="${MASTER_ADDR:-localhost}"
                MASTER_PORT="${MASTER_PORT:-29500}"
                RUN_NAME="${RUN_NAME:-bolmo4j-stage%d}"
                source "$RUN_DIR/bolmo-core/env.sh"
                export SAVE_FOLDER="${SAVE_FOLDER:-$RUN_DIR/checkpoints}"
                export DATA_SOURCE="$RUN_DIR/data_sources.txt"
                ls "$RUN_DIR"/data/part-*.npy > "$DATA_SOURCE"
                """.formatted(run.stage()));
        if (run.stage() == 1) {
            s.append("""
                    export OLMO_CKPT_PATH="${OLMO_CKPT_PATH:-$RUN_DIR/teacher-olmo-core/model_and_optim}"
                    if [ ! -e "$OLMO_CKPT_PATH/.metadata" ]; then
                      echo "no olmo-core teacher at $OLMO_CKPT_PATH: run ./convert-teacher.sh first" >&2
                      exit 1
                    fi
                    """);
        } else {
            s.append("""
                    : "${STAGE1_CKPT_PATH:?set STAGE1_CKPT_PATH to bolmo-core's Stage 1 checkpoint, .../stepN/model_and_optim}"
                    export STAGE1_CKPT_PATH
                    """);
        }
        s.append("""
                OVERRIDES=()
                while IFS= read -r line; do
                  [ -n "$line" ] && OVERRIDES+=("${line//\\$RUN_DIR/$RUN_DIR}")
                done < "$RUN_DIR/bolmo-core/overrides.txt"
                cd "$BOLMO_CORE"
                exec torchrun --nnodes "$NODES" --nproc-per-node "$GPUS_PER_NODE" --node-rank "$NODE_RANK" \\
                  --master-addr "$MASTER_ADDR" --master-port "$MASTER_PORT" \\
                  src/examples/bolmo/train_stage%d.py "$RUN_NAME" "${OVERRIDES[@]}"
                """.formatted(run.stage()));
        return s.toString();
    }

    static String convertTeacher(BolmoCoreRecipe recipe, Path teacher) {
        return header() + """
                # The teacher as an olmo-core checkpoint, which train_stage1.py loads from OLMO_CKPT_PATH.
                # TEACHER: the Hugging Face teacher directory on this machine (default: where it was exported from).
                TEACHER="${TEACHER:-%s}"
                cd "$BOLMO_CORE"
                python src/examples/huggingface/convert_checkpoint_from_hf.py -i "$TEACHER" -m %s -t dolma2 \\
                  -o "$RUN_DIR/teacher-olmo-core" --skip-validation
                """.formatted(teacher, recipe.env().get("OLMO_ARCH").toLowerCase(Locale.ROOT));
    }

    static String unshard() {
        return header() + """
                # One olmo-core checkpoint (default: the last one saved) as a single model.safetensors in
                # $RUN_DIR/checkpoint, in olmo-core names; bolmo4j import-run renames it to the Hugging Face layout.
                SAVE_FOLDER="${SAVE_FOLDER:-$RUN_DIR/checkpoints}"
                CKPT="${1:-$(ls -d "$SAVE_FOLDER"/step* | sort -V | tail -n 1)}"
                python "$BOLMO_CORE/src/scripts/unshard.py" "$CKPT" "$RUN_DIR/checkpoint" --safetensors --overwrite
                echo "now, where bolmo4j runs: bolmo4j import-run $RUN_DIR/checkpoint --out DIR"
                """;
    }

    static String readme(ExportedRun run, Path teacher, Record config) {
        StringBuilder s = new StringBuilder();
        PretokenizedData.Manifest d = run.data();
        s.append("# bolmo4j → bolmo-core: Stage ").append(run.stage()).append("\n\n");
        s.append("Written by `bolmo4j export-run` against **allenai/bolmo-core@").append(BolmoCoreExport.REVISION)
                .append("** (its `src/examples/bolmo/train_stage").append(run.stage())
                .append(".py`, the Bolmo configuration classes and OLMo-core's numpy data format at that commit).\n")
                .append("Teacher: `").append(teacher).append("`. bolmo4j settings: `").append(config).append("`.\n\n");
        if (!run.blockers().isEmpty()) {
            s.append("## Not runnable unmodified\n\nbolmo-core at this revision cannot train this teacher as is;"
                    + " `launch.sh` refuses until `BOLMO4J_FORCE=1` (after adapting bolmo-core):\n\n");
            run.blockers().forEach(b -> s.append("- ").append(b).append('\n'));
            s.append('\n');
        }
        s.append("## Install on the GPU cluster\n\n```bash\n");
        s.append("git clone https://github.com/allenai/bolmo-core.git && cd bolmo-core && git checkout ")
                .append(BolmoCoreExport.REVISION).append('\n');
        s.append("uv venv --python 3.12.12 && . .venv/bin/activate    # with PyTorch for your CUDA installed first\n");
        s.append("uv sync --frozen --extra xlstm --extra wandb       # or: pip install -e .[xlstm,wandb]\n");
        s.append("pip install flash-attn --no-build-isolation        # the overrides set model.block.attention.use_flash=true\n");
        s.append("export BOLMO_CORE=$PWD\n```\n\n");
        s.append("`train_stage").append(run.stage()).append(".py` opens `ipdb` when training fails on rank 0; `pip install ipdb`"
                + " or expect a traceback only.\n\n");
        s.append("## From export to import\n\n```bash\n");
        if (run.stage() == 1) {
            s.append("./convert-teacher.sh            # TEACHER=/path/to/hf/teacher: olmo-core copy in teacher-olmo-core/\n");
        } else {
            s.append("export STAGE1_CKPT_PATH=/path/to/stage1/checkpoints/stepN/model_and_optim\n");
        }
        s.append("NODE_RANK=0 MASTER_ADDR=node0 ./launch.sh   # on every node (NODE_RANK 0..N-1); checkpoints in checkpoints/stepN\n");
        s.append("./unshard.sh                    # last checkpoint → checkpoint/model.safetensors (olmo-core names)\n");
        s.append("bolmo4j import-run checkpoint --out bolmo-hf   # where bolmo4j runs: the Hugging Face Bolmo layout\n```\n\n");
        s.append("Instead of `unshard.sh`, bolmo-core's own converter also works (it needs `transformers`):\n"
                + "`python src/examples/huggingface/convert_checkpoint_to_hf.py -i checkpoints/stepN -o checkpoint-hf"
                + " --dtype float32 --skip-validation -s 65536`, then `bolmo4j import-run checkpoint-hf --out bolmo-hf`.\n\n");
        s.append("## Settings\n\n| bolmo4j | value | bolmo-core | note |\n|---|---|---|---|\n");
        for (BolmoCoreRecipe.Mapping m : run.recipe().mappings()) {
            s.append("| `").append(m.field()).append("` | ").append(m.value()).append(" | ")
                    .append(m.target() == null ? "**no equivalent**" : "`" + m.target() + "`").append(" | ")
                    .append(m.note()).append(" |\n");
        }
        s.append("\nThe complete configuration is `bolmo-core/env.sh` (environment of the script) and"
                + " `bolmo-core/overrides.txt` (its `ExperimentConfig` overrides); the rest follows Ai2's"
                + " `bolmo_scripts/launch_stage").append(run.stage()).append("_*.sh`. W&B logging and the downstream"
                + " evaluator are off (`trainer.callbacks.wandb.enabled`, `trainer.callbacks.downstream_evaluator.enabled`).\n\n");
        List<BolmoCoreRecipe.Mapping> none = run.recipe().unmapped();
        if (!none.isEmpty()) {
            s.append("No bolmo-core equivalent: ");
            none.forEach(m -> s.append('`').append(m.field()).append("` (").append(m.note()).append("). "));
            s.append("\n\n");
        }
        s.append("## Data\n\n").append(d.documents()).append(" documents, ").append(d.textBytes()).append(" bytes, ")
                .append(d.tokens()).append(" tokens (").append(String.format(Locale.ROOT, "%.3f", d.bytesPerToken()))
                .append(" bytes/token) in ").append(d.arrays().size()).append(" array(s) under `data/`: raw little-endian ")
                .append(d.dtype().numpyName()).append(", end-of-document id ").append(d.eosId())
                .append(" after each document; sources, sizes and SHA-256 in `data/manifest.json`.\n");
        return s.toString();
    }

    /** A value for a POSIX shell, in single quotes. */
    static String shellQuote(String v) {
        return "'" + v.replace("'", "'\\''") + "'";
    }

    private static String header() {
        return HEADER.formatted(BolmoCoreExport.REVISION, BolmoCoreExport.REVISION);
    }
}
