package io.bolmo4j.export;

import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.olmo.BuiltinModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The scripts of a run directory (both stages) in a directory and from a teacher whose names hold spaces, quotes,
 * {@code $}, {@code &} and {@code ${...}}: they parse ({@code bash -n}), pass shellcheck, and launch.sh, run against a
 * stand-in torchrun, hands bolmo-core the run's own environment and overrides that OmegaConf reads back as the real
 * paths.
 */
class RunScriptsTest {
    /** A directory name a careless user might well have. */
    static final String HOSTILE = "my run's \"dir\" $HOME & ${x}";

    @TempDir
    static Path tmp;
    static Path base;
    static Path teacher;
    static Path text;

    @BeforeAll
    static void hostileTeacherAndData() throws IOException {
        base = Files.createDirectories(tmp.resolve(HOSTILE));
        teacher = Files.createDirectories(base.resolve("teach'er $1"));
        Path tiny = BuiltinModels.path(BuiltinModels.TINY);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(tiny.resolve(f), teacher.resolve(f));
        }
        text = base.resolve("text 'one'.txt");
        Files.writeString(text, "Call me Ishmael. Some years ago, never mind how long precisely.\n");
    }

    static ExportedRun export(int stage, String dir) {
        BolmoCoreExport.Layout layout = new BolmoCoreExport.Layout(List.of(text), base.resolve(dir),
                new BolmoCoreRecipe.Cluster(1, 8, 0), 100, BolmoCoreExport.DEFAULT_TOKENS_PER_FILE);
        return stage == 1 ? BolmoCoreExport.stage1(teacher, null, Stage1.Config.defaults(), layout)
                : BolmoCoreExport.stage2(teacher, null, Stage2.Config.defaults(), layout);
    }

    @Test
    void everyScriptParsesAndPassesShellcheck() throws Exception {
        for (int stage : List.of(1, 2)) {
            Path run = export(stage, "run" + stage + " 'x'").dir();
            List<Path> scripts;
            try (Stream<Path> s = Stream.concat(Files.list(run), Stream.of(run.resolve("bolmo-core/env.sh")))) {
                scripts = s.filter(p -> p.toString().endsWith(".sh")).sorted().toList();
            }
            assertEquals(stage == 1 ? 4 : 3, scripts.size(), scripts.toString());
            for (Path script : scripts) {
                Result r = exec(List.of("bash", "-n", script.toString()), Map.of());
                assertEquals(0, r.code, "stage " + stage + " " + script.getFileName() + ": " + r.out);
            }
            assumeTrue(Python.installed("shellcheck", "shellcheck of the run scripts", "shellcheck", "--version"),
                    "shellcheck not installed");
            for (Path script : scripts) {
                Result r = exec(List.of("shellcheck", "-x", script.toString()), Map.of());
                assertEquals(0, r.code, "stage " + stage + " " + script.getFileName() + ":\n" + r.out);
            }
        }
    }

    @Test
    void launchHandsBolmoCoreTheRunsOwnSettings() throws Exception {
        Path bolmoCore = Files.createDirectories(base.resolve("bolmo core"));
        Path bin = Files.createDirectories(base.resolve("bin"));
        Path record = base.resolve("torchrun.args");
        Files.writeString(bin.resolve("torchrun"), """
                #!/usr/bin/env bash
                # the stand-in records the working directory, its arguments and the environment it got, NUL-separated
                { pwd; printf '%s\\n' "$#"; printf '%s\\0' "$@"; env -0; } > "$TORCHRUN_RECORD"
                """);
        Files.setPosixFilePermissions(bin.resolve("torchrun"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path stage1Ckpt = Files.createDirectories(base.resolve("stage 1 ckpt"));
        Files.writeString(stage1Ckpt.resolve(".metadata"), "");
        for (int stage : List.of(1, 2)) {
            ExportedRun exported = export(stage, "launch" + stage + " 'x'");
            Path run = exported.dir();
            if (stage == 1) {
                Path teacherCkpt = Files.createDirectories(run.resolve("teacher-olmo-core/model_and_optim"));
                Files.writeString(teacherCkpt.resolve(".metadata"), "");
            }
            Map<String, String> env = new HashMap<>();
            env.put("PATH", bin + ":" + System.getenv("PATH"));
            env.put("BOLMO_CORE", bolmoCore.toString());
            env.put("BOLMO4J_FORCE", "1"); // tiny-olmo is not a teacher bolmo-core runs unmodified
            env.put("TORCHRUN_RECORD", record.toString());
            // left in the shell from other work: none may reach the run
            env.put("QUICK_DEBUG", "1");
            env.put("TEACHER_MODE", "stage1");
            env.put("EMBEDDING_INIT_PATH", "/elsewhere");
            env.put(stage == 1 ? "STAGE1_CKPT_PATH" : "OLMO_CKPT_PATH", "/some/other/checkpoint");
            if (stage == 2) {
                env.put("STAGE1_CKPT_PATH", stage1Ckpt.toString());
            }
            Result r = exec(List.of(run.resolve("launch.sh").toString()), env);
            assertEquals(0, r.code, r.out);
            Launched got = Launched.read(record);
            assertEquals(bolmoCore.toRealPath().toString(), got.cwd);
            assertTrue(got.args.contains("src/examples/bolmo/train_stage" + stage + ".py"), got.args.toString());
            for (String cleared : List.of("QUICK_DEBUG", "TEACHER_MODE", "EMBEDDING_INIT_PATH", stage == 1 ? "STAGE1_CKPT_PATH"
                    : "OLMO_CKPT_PATH")) {
                assertFalse(got.env.containsKey(cleared), "stage " + stage + " got " + cleared + "=" + got.env.get(cleared));
            }
            assertEquals(exported.recipe().env().get("SEQUENCE_LENGTH"), got.env.get("SEQUENCE_LENGTH"));
            if (stage == 2) {
                assertEquals(stage1Ckpt.toString(), got.env.get("STAGE1_CKPT_PATH"));
            }
            // the data list: absolute paths of the arrays, written once
            Path sources = Path.of(got.env.get("DATA_SOURCE"));
            assertEquals(List.of(run.toRealPath().resolve("data/part-00000.npy").toString()), Files.readAllLines(sources));
            Object written = Files.getAttribute(sources, "unix:ino");
            assertEquals(0, exec(List.of(run.resolve("launch.sh").toString()), env).code);
            assertEquals(written, Files.getAttribute(sources, "unix:ino"), "a second node does not rewrite data_sources.txt");

            String tokenizer = run.toRealPath().resolve("tokenizer").toString();
            String override = got.args.stream().filter(a -> a.startsWith("dataset.tokenizer.original_identifier=")).findFirst()
                    .orElseThrow();
            assertEquals(tokenizer, yamlSingleQuoted(override.substring(override.indexOf('=') + 1)));
            omegaConfReads(got.args, "dataset.tokenizer.original_identifier", tokenizer);
        }
    }

    @Test
    void launchKnowsEveryVariableBolmoCoresScriptsRead() throws IOException {
        for (String key : BolmoCoreRecipeTest.fixture().keySet()) {
            if (key.startsWith("env:")) {
                assertTrue(BolmoCoreRecipe.SCRIPT_VARIABLES.contains(key.substring(4)), key + " is neither set nor cleared");
            }
        }
    }

    /** A YAML single-quoted scalar as OmegaConf then reads it ({@code ''} is {@code '}, {@code \${} is {@code ${}). */
    private static String yamlSingleQuoted(String v) {
        assertTrue(v.startsWith("'") && v.endsWith("'"), v);
        return v.substring(1, v.length() - 1).replace("''", "'").replace("\\${", "${");
    }

    /** OmegaConf itself (Debian's python3-omegaconf) parses the dotlist and reads {@code key} back as {@code want}. */
    private static void omegaConfReads(List<String> args, String key, String want) throws Exception {
        if (!Python.installed("python3-omegaconf", "the OmegaConf check of launch.sh's overrides", "/usr/bin/python3", "-c",
                "import omegaconf")) {
            return;
        }
        List<String> dotlist = args.stream().filter(a -> a.contains("=") && !a.startsWith("--")).toList();
        Path file = tmp.resolve("dotlist");
        Files.writeString(file, String.join("\0", dotlist));
        Result r = exec(List.of("/usr/bin/python3", "-c", """
                import sys
                from omegaconf import OmegaConf
                conf = OmegaConf.from_dotlist(open(sys.argv[1], encoding="utf-8").read().split("\\0"))
                sys.stdout.write(OmegaConf.select(conf, sys.argv[2]))
                """, file.toString(), key), Map.of());
        assertEquals(0, r.code, r.out);
        assertEquals(want, r.out);
    }

    private record Launched(String cwd, List<String> args, Map<String, String> env) {
        static Launched read(Path record) throws IOException {
            String all = Files.readString(record, StandardCharsets.UTF_8);
            String[] head = all.split("\n", 3);
            int n = Integer.parseInt(head[1]);
            List<String> fields = Arrays.asList(head[2].split("\0", -1));
            Map<String, String> env = new HashMap<>();
            for (String kv : fields.subList(n, fields.size())) {
                if (kv.contains("=")) {
                    env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            }
            return new Launched(head[0], new ArrayList<>(fields.subList(0, n)), env);
        }
    }

    private record Result(int code, String out) {}

    private static Result exec(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (!env.isEmpty()) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
