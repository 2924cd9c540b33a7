package io.bolmo4j.export;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The scripts and README of a run directory (text only; {@link BolmoCoreExport} writes them). */
final class RunFiles {
    private RunFiles() {}

    /**
     * Every script's start. Values from outside (paths, messages) enter a script only as single-quoted words
     * ({@link #shellQuote}), so a path with spaces, quotes or {@code $} stays one literal word.
     */
    private static final String HEADER = """
            #!/usr/bin/env bash
            # Written by bolmo4j export-run for allenai/bolmo-core@%1$s.
            set -euo pipefail
            RUN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
            die() {
              echo "$(basename "$0"): $*" >&2
              exit 1
            }
            [ -n "${BOLMO_CORE:-}" ] || die 'set BOLMO_CORE to a checkout of allenai/bolmo-core at %1$s'
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
        List<String> owned = launchVariables(run.stage());
        List<String> cleared = BolmoCoreRecipe.SCRIPT_VARIABLES.stream()
                .filter(v -> !run.recipe().env().containsKey(v) && !owned.contains(v) && !USER_VARIABLES.contains(v)).toList();
        s.append("# bolmo-core's Bolmo scripts read these too; the recipe leaves them at their defaults, so a value left in"
                + " the shell must not change the run\n");
        s.append("unset ").append(String.join(" ", cleared)).append('\n');
        s.append("NODES=").append(cluster.nodes()).append("\nGPUS_PER_NODE=").append(cluster.gpusPerNode()).append('\n');
        s.append("""
                NODE_RANK="${NODE_RANK:-0}"
                MASTER_ADDR="${MASTER_ADDR:-localhost}"
                MASTER_PORT="${MASTER_PORT:-29500}"
                RUN_NAME="${RUN_NAME:-bolmo4j-stage%d}"
                # shellcheck source-path=SCRIPTDIR source=bolmo-core/env.sh
                source "$RUN_DIR/bolmo-core/env.sh"
                export SAVE_FOLDER="${SAVE_FOLDER:-$RUN_DIR/checkpoints}"
                # The data files, absolute: written once (atomically, and only when it changes), as every node runs this
                # script while the ranks of others may already read it.
                export DATA_SOURCE="$RUN_DIR/data_sources.txt"
                SOURCES="$(printf '%%s\\n' "$RUN_DIR"/data/part-*.npy)"
                if [ ! -f "$DATA_SOURCE" ] || [ "$(cat "$DATA_SOURCE")" != "$SOURCES" ]; then
                  TMP_SOURCE="$(mktemp "$DATA_SOURCE.XXXXXX")"
                  printf '%%s\\n' "$SOURCES" > "$TMP_SOURCE"
                  mv -f "$TMP_SOURCE" "$DATA_SOURCE"
                fi
                """.formatted(run.stage()));
        if (run.stage() == 1) {
            s.append("""
                    export OLMO_CKPT_PATH="${OLMO_CKPT_PATH:-$RUN_DIR/teacher-olmo-core/model_and_optim}"
                    case "$OLMO_CKPT_PATH" in
                      *://*) ;; # remote storage, which olmo-core reads itself
                      *) [ -e "$OLMO_CKPT_PATH/.metadata" ] || die "no olmo-core teacher at $OLMO_CKPT_PATH: run ./convert-teacher.sh first" ;;
                    esac
                    """);
        } else {
            s.append("""
                    [ -n "${STAGE1_CKPT_PATH:-}" ] || die 'set STAGE1_CKPT_PATH to the Stage 1 checkpoint of bolmo-core, .../stepN/model_and_optim'
                    case "$STAGE1_CKPT_PATH" in
                      *://*) ;; # remote storage, which olmo-core reads itself
                      *) [ -e "$STAGE1_CKPT_PATH/.metadata" ] || die "no olmo-core checkpoint at STAGE1_CKPT_PATH=$STAGE1_CKPT_PATH" ;;
                    esac
                    export STAGE1_CKPT_PATH
                    """);
        }
        s.append("""
                # $RUN_DIR in an override becomes this directory inside a YAML single-quoted string, as OmegaConf
                # reads it: ' doubled, ${ escaped so that it is no interpolation (quoted replacements: & stays &).
                # shellcheck disable=SC2016 # literal text, no expansion
                PLACEHOLDER='$RUN_DIR'
                QUOTE="'"
                # shellcheck disable=SC2016 # literal text, no expansion
                INTERPOLATION='${'
                QUOTED_RUN_DIR="${RUN_DIR//"$QUOTE"/"$QUOTE$QUOTE"}"
                QUOTED_RUN_DIR="${QUOTED_RUN_DIR//"$INTERPOLATION"/"\\\\$INTERPOLATION"}"
                OVERRIDES=()
                while IFS= read -r line; do
                  [ -n "$line" ] && OVERRIDES+=("${line//"$PLACEHOLDER"/"$QUOTED_RUN_DIR"}")
                done < "$RUN_DIR/bolmo-core/overrides.txt"
                cd "$BOLMO_CORE"
                exec torchrun --nnodes "$NODES" --nproc-per-node "$GPUS_PER_NODE" --node-rank "$NODE_RANK" \\
                  --master-addr "$MASTER_ADDR" --master-port "$MASTER_PORT" \\
                  src/examples/bolmo/train_stage%d.py "$RUN_NAME" "${OVERRIDES[@]}"
                """.formatted(run.stage()));
        return s.toString();
    }

    /** The recipe's environment, which launch.sh sources. */
    static String env(BolmoCoreRecipe recipe) {
        StringBuilder s = new StringBuilder("# shellcheck shell=bash\n# The environment of train_stage")
                .append(recipe.stage()).append(".py for this recipe (bolmo4j export-run); launch.sh sources it.\n");
        recipe.env().forEach((k, v) -> s.append("export ").append(k).append('=').append(shellQuote(v)).append('\n'));
        return s.toString();
    }

    /** The variables of train_stageN.py that launch.sh sets (or, for Stage 2's checkpoint, requires). */
    static List<String> launchVariables(int stage) {
        return List.of("DATA_SOURCE", "SAVE_FOLDER", stage == 1 ? "OLMO_CKPT_PATH" : "STAGE1_CKPT_PATH");
    }

    /** The variables of train_stageN.py left to the user: they tune the machine, not the run. */
    static final List<String> USER_VARIABLES = List.of("NUM_WORKERS");

    static String convertTeacher(BolmoCoreRecipe recipe, Path teacher) {
        return header() + """
                # The teacher as an olmo-core checkpoint, which train_stage1.py loads from OLMO_CKPT_PATH.
                # TEACHER: the Hugging Face teacher directory on this machine (default: where it was exported from).
                # shellcheck disable=SC2016 # a literal path, whatever characters it holds
                EXPORTED_TEACHER=%s
                TEACHER="${TEACHER:-$EXPORTED_TEACHER}"
                [ -f "$TEACHER/config.json" ] || die "no Hugging Face teacher at $TEACHER: set TEACHER to its directory"
                cd "$BOLMO_CORE"
                python src/examples/huggingface/convert_checkpoint_from_hf.py -i "$TEACHER" -m %s -t dolma2 \\
                  -o "$RUN_DIR/teacher-olmo-core" --skip-validation
                """.formatted(shellQuote(teacher.toString()), shellQuote(recipe.env().get("OLMO_ARCH").toLowerCase(Locale.ROOT)));
    }

    static String unshard() {
        return header() + """
                # One olmo-core checkpoint (default: the last one saved) as a single model.safetensors in
                # $RUN_DIR/checkpoint, in olmo-core names; bolmo4j import-run renames it to the Hugging Face layout.
                SAVE_FOLDER="${SAVE_FOLDER:-$RUN_DIR/checkpoints}"
                if [ $# -ge 1 ]; then
                  CKPT="$1"
                else
                  shopt -s nullglob
                  STEPS=("$SAVE_FOLDER"/step*)
                  [ ${#STEPS[@]} -gt 0 ] || die "no checkpoint in $SAVE_FOLDER (stepN folders)"
                  CKPT="$(printf '%s\\n' "${STEPS[@]}" | sort -V | tail -n 1)"
                fi
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
        s.append("bolmo-core loads `allenai/dolma2-tokenizer` from the Hugging Face Hub whenever it builds the model"
                + " (`get_dolma2_space_mask` in `olmo_core/nn/bolmo/utils.py`, whatever the run's own tokenizer). On a"
                + " cluster without internet access, download it once into the cache every node reads"
                + " (`HF_HOME=/shared/hf huggingface-cli download allenai/dolma2-tokenizer` on a machine with access)"
                + " and run with the same `HF_HOME` and `HF_HUB_OFFLINE=1`.\n\n");
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
        s.append("`launch.sh` clears the variables of bolmo-core's Bolmo scripts that the recipe"
                + " leaves at their defaults (`QUICK_DEBUG`, `TEACHER_MODE`, ...), so a value left in the shell cannot"
                + " change the run; `NUM_WORKERS` (data loader processes) is yours to set.\n\n");
        if (run.stage() == 1) {
            s.append("A Stage 1 checkpoint holds the teacher too, which bolmo-core's own `convert_checkpoint_to_hf.py`"
                    + " does not convert (`Some state keys were not converted: teacher.embeddings.weight, ...`):"
                    + " convert it with `unshard.sh` and `bolmo4j import-run`, which leaves the teacher out.\n\n");
        } else {
            s.append("Instead of `unshard.sh`, bolmo-core's own converter also works for Stage 2 (it needs `transformers`):\n"
                    + "`python src/examples/huggingface/convert_checkpoint_to_hf.py -i checkpoints/stepN -o checkpoint-hf"
                    + " --dtype float32 --skip-validation -s 65536`, then `bolmo4j import-run checkpoint-hf --out bolmo-hf`.\n\n");
        }
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
        return HEADER.formatted(BolmoCoreExport.REVISION);
    }
}
