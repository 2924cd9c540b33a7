package io.bolmo4j.kernel;

import io.bolmo4j.kernel.exec.CellException;
import io.bolmo4j.kernel.exec.JShellEvaluator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel's evaluation, display, errors, completion and magics, without ZeroMQ. */
class KernelSessionTest {
    static KernelSession session;
    static int count = 1;

    /** Records what a cell sends to the front end. */
    static final class Recorder implements KernelSession.Frontend {
        final List<String> events = new ArrayList<>();
        final StringBuilder stdout = new StringBuilder(), stderr = new StringBuilder();

        @Override
        public void stream(String name, String text) {
            (name.equals("stdout") ? stdout : stderr).append(text);
            events.add(name + ":" + text);
        }

        @Override
        public void display(Map<String, Object> bundle, String id, boolean update) {
            events.add((update ? "update:" : "display:") + bundle.keySet() + ":" + bundle.get("text/plain"));
        }

        @Override
        public void clear(boolean wait) {
            events.add("clear");
        }
    }

    @BeforeAll
    static void start() {
        session = KernelSession.create();
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    static Map<String, Object> run(String code, Recorder r) {
        return session.execute(code, count++, true, r);
    }

    static Object plain(String code) {
        Map<String, Object> b = run(code, new Recorder());
        return b == null ? null : b.get("text/plain");
    }

    @Test
    void lastExpressionIsTheCellValueAndStatementsShowNothing() {
        assertEquals("42", plain("int a = 6;\nint b = 7;\na * b"));
        assertNull(plain("int c = 1;"));
        assertNull(plain("System.out.print(\"\");"));
        assertNull(plain("(String) null"), "a null value shows nothing, like IPython's None");
        assertEquals("[1, 2, 3]", plain("new int[] {1, 2, 3}"));
    }

    @Test
    void outputIsStreamedInOrderWithDisplays() {
        Recorder r = new Recorder();
        run("System.out.print(\"a\");\ndisplay(html(\"<b>x</b>\"));\nSystem.err.println(\"e\");\nSystem.out.println(\"b\");", r);
        assertEquals("stdout:a", r.events.get(0));
        assertTrue(r.events.get(1).startsWith("display:") && r.events.get(1).contains("text/html"), r.events.toString());
        assertEquals("a" + "b\n", r.stdout.toString());
        assertEquals("e\n", r.stderr.toString());
    }

    @Test
    void tablesRenderAsHtmlAndFiguresAsPlotly() {
        Map<String, Object> t = run("var t = Table.create(\"t\", IntColumn.create(\"x\", 1, 2), DoubleColumn.create(\"y\", 1.5, 2.5));\nt", new Recorder());
        String html = (String) t.get("text/html");
        assertTrue(html.contains("<th>x</th>") && html.contains("<td>2.5</td>"), html);
        Map<String, Object> f = run("LinePlot.create(\"plot\", t, \"x\", \"y\")", new Recorder());
        String fig = (String) f.get("text/html");
        assertTrue(fig.contains("Plotly.newPlot") && fig.contains("id='bolmo4j_plot_"), fig.substring(0, Math.min(300, fig.length())));
        Map<String, Object> second = run("LinePlot.create(\"again\", t, \"x\", \"y\")", new Recorder());
        String fig2 = (String) second.get("text/html");
        assertTrue(fig2.length() < 10_000, "plotly.js is inlined once per session, not per chart");
    }

    @Test
    void runtimeErrorsCarryTheRealExceptionAndCellLines() {
        CellException e = assertThrows(CellException.class, () -> run("int z = 0;\n\nint q = 5 / z;", new Recorder()));
        assertEquals("ArithmeticException", e.ename());
        assertEquals("/ by zero", e.evalue());
        assertTrue(e.traceback().stream().anyMatch(l -> l.matches("\\tat cell \\[\\d+\\] line 3")), e.traceback().toString());
        CellException own = assertThrows(CellException.class, () -> run("void f() { throw new IllegalStateException(\"deep\"); }\nf();", new Recorder()));
        assertEquals("IllegalStateException", own.ename());
        assertEquals("deep", own.evalue());
    }

    @Test
    void compileErrorsPointAtTheCellLineWithACaret() {
        CellException e = assertThrows(CellException.class, () -> run("int ok = 1;\nString s = undefinedThing;", new Recorder()));
        assertEquals("CompilationException", e.ename());
        List<String> tb = e.traceback();
        assertTrue(tb.get(0).startsWith("line 2: cannot find symbol"), tb.toString());
        assertEquals("String s = undefinedThing;", tb.get(1));
        assertEquals(tb.get(1).indexOf("undefinedThing"), tb.get(2).indexOf('^'), tb.toString());
    }

    @Test
    void completionInspectionAndIsComplete() {
        JShellEvaluator shell = session.shell();
        JShellEvaluator.Completion c = shell.complete("int a = 1;\n\"hi\".toUpperC", 24);
        assertEquals(List.of("toUpperCase("), c.matches());
        assertEquals(16, c.start());
        String doc = shell.documentation("Math.max", 8, false);
        assertTrue(doc != null && doc.contains("max("), doc);
        assertEquals("complete", shell.isComplete("int x = 1;"));
        assertEquals("    ", shell.isComplete("for (int i = 0; i < 3; i++) {"));
        assertEquals("invalid", shell.isComplete("class {"));
        assertEquals("invalid", shell.isComplete("int x = ;"));
    }

    @Test
    void whosListsVariablesWithShortValues() {
        run("int answer = 42;\nString big = \"x\".repeat(500);\nList<Integer> nums = new ArrayList<>(IntStream.range(0, 1000).boxed().toList());", new Recorder());
        Map<String, Object> all = run("%whos", new Recorder());
        String html = (String) all.get("text/html");
        assertTrue(html.contains("<td>answer</td>") && html.contains("<td>int</td>") && html.contains("<td>42</td>"), html);
        assertTrue(html.contains("[0, 1, 2, 3, 4, …] (1000 elements)"), "a large list is summarised: " + html);
        assertTrue(html.contains("(500 chars)") && !html.contains("x".repeat(100)), "a long string is cut: " + html);
        String strings = (String) run("%whos String", new Recorder()).get("text/html");
        assertTrue(strings.contains("<td>big</td>") && !strings.contains("<td>answer</td>"), strings);
        assertEquals("no variables of type Nothing", plain("%whos Nothing"));
    }

    @Test
    void completionOfMagicsTheirArgumentsAndCodeBetweenThem(@TempDir Path dir) throws Exception {
        assertEquals(new JShellEvaluator.Completion(List.of("classpath"), 1, 4), session.complete("%cla", 4));
        assertEquals(List.of("time"), session.complete("%%ti", 4).matches());
        Files.createFile(dir.resolve("alpha.jar"));
        Files.createDirectory(dir.resolve("alps"));
        String line = "%classpath " + dir + "/al";
        JShellEvaluator.Completion paths = session.complete(line, line.length());
        assertEquals(List.of(dir + "/alpha.jar", dir + "/alps/"), paths.matches());
        assertEquals(11, paths.start());
        assertTrue(session.complete("%time Math.ma", 13).matches().contains("max("));
        String code = "int zz = 1;\n%whos\n\"x\".toUpperC";
        assertEquals(List.of("toUpperCase("), session.complete(code, code.length()).matches(), "magic lines do not confuse Java completion");
        assertTrue(session.complete("%env PAT", 8).matches().contains("PATH"));
    }

    @Test
    void magicsRunInOrderWithCode(@TempDir Path dir) throws Exception {
        Recorder r = new Recorder();
        assertEquals("6", String.valueOf(run("%time int m = 2 * 3;\nm", r).get("text/plain")));
        assertTrue(r.stdout.toString().startsWith("Wall time: "), r.stdout.toString());
        Path file = dir.resolve("lib.jshell");
        Files.writeString(file, "int loaded() { return 7; }\nloaded() * 2");
        assertEquals("14", plain("%load " + file));
        CellException bad = assertThrows(CellException.class, () -> run("%nope", new Recorder()));
        assertEquals("MagicException", bad.ename());
        CellException missing = assertThrows(CellException.class, () -> run("%classpath /no/such.jar", new Recorder()));
        assertTrue(missing.evalue().contains("/no/such.jar"));
        assertTrue(String.valueOf(plain("%lsmagic")).contains("%classpath"));
    }

    @Test
    void classpathMagicMakesNewClassesAvailable(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/demo/Greeter.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package demo; public class Greeter { public static String hi() { return \"hi from jar\"; } }");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString());
        assertEquals(0, rc);
        run("%classpath " + classes, new Recorder());
        assertEquals("hi from jar", plain("demo.Greeter.hi()"));
    }

    @Test
    void historyKeepsStoredCellsWithTheirOutput() {
        int before = session.history().size();
        plain("\"remember me\"");
        KernelSession.HistoryEntry last = session.history().get(session.history().size() - 1);
        assertEquals(before + 1, session.history().size());
        assertEquals("\"remember me\"", last.input());
        assertEquals("remember me", last.output());
    }

    @Test
    void extensionsBringImportsAndRenderersAndStartOnce() {
        Map<String, Object> bundle = run("new Greeting(\"Ada\")", new Recorder());
        assertEquals("<b>Hello, Ada</b>", bundle.get("text/html"), "the extension's renderer, its import resolving Greeting");
        assertEquals("true", run("new AtomicBoolean(true).get()", new Recorder()).get("text/plain"));
        KernelExtensions.start(KernelSession.class.getClassLoader());
        assertEquals(1, TestExtension.starts, "an extension starts once per JVM");
    }

    @Test
    void progressBarsUpdateOneDisplay() {
        Recorder r = new Recorder();
        run("try (var p = progressBar(2, \"work 0/2\")) { p.update(1, \"work 1/2\"); p.update(2, \"work 2/2 loss=0.5000\"); }", r);
        assertTrue(r.events.get(0).startsWith("display:[text/html, text/plain]:work"), r.events.toString());
        assertTrue(r.events.size() >= 2 && r.events.stream().skip(1).allMatch(e -> e.startsWith("update:")), r.events.toString());
        assertTrue(r.events.get(r.events.size() - 1).contains("2/2") && r.events.get(r.events.size() - 1).contains("loss=0.5000"), r.events.toString());
    }

    @Test
    void interruptLetsWorkWithAProgressBarFinishItsStep() throws Exception {
        // each "step" ignores interrupts for 1.2 s (like a training step in native code), then checks between steps
        String cell = """
                String steps = "";
                try (var p = progressBar(100, "train")) {
                    for (int s = 1; s <= 100; s++) {
                        if (Thread.currentThread().isInterrupted()) throw new java.util.concurrent.CancellationException("stopped cleanly after step " + (s - 1));
                        long end = System.nanoTime() + 1_200_000_000L;
                        while (System.nanoTime() < end) { }
                        p.update(s, "train " + s);
                    }
                }
                """;
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(1800);
            } catch (InterruptedException ignored) {
                return;
            }
            session.interrupt();
        });
        interrupter.start();
        CellException e = assertThrows(CellException.class, () -> run(cell, new Recorder()));
        interrupter.join();
        assertEquals("CancellationException", e.ename(), "not stopped mid-step: " + e.evalue());
        assertTrue(e.evalue().matches("stopped cleanly after step [1-9]\\d*"), e.evalue());
    }
}
