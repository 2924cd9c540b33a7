package io.bolmo4j.kernel;

import io.bolmo4j.kernel.deps.TestRepository;
import io.bolmo4j.kernel.exec.CellException;
import io.bolmo4j.kernel.exec.JShellEvaluator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code %maven}, {@code %mavenRepo}, {@code %loadFromPOM} and {@code %jars} against a repository built by the test:
 * as the local repository in offline mode, and behind a loopback HTTP server reached through settings.xml's mirrors
 * and proxies, {@code %mavenRepo} and a POM's own repositories. Nothing here reaches the network.
 */
class DependencyMagicsTest {
    @TempDir
    static Path tmp;
    static TestRepository repo;
    static TestRepository.Server server;

    @BeforeAll
    static void buildRepository() throws IOException {
        KernelExtensions.start(KernelSession.class.getClassLoader()); // as KernelSession.create() does
        repo = new TestRepository(Files.createDirectories(tmp.resolve("repo")))
                .greeter("test.bolmo:util:1.0", "test.util.Util", "util 1.0: ", List.of())
                .greeter("test.bolmo:util:2.0", "test.util.Util", "util 2.0: ", List.of())
                .artifact("test.bolmo:greeter:1.0", List.of("test.bolmo:util:1.0"), Map.of("test.greet.Greeter",
                        "package test.greet; public class Greeter { public static String hi(String who) { return \"Hello, \" + who + \" / \" + test.util.Util.hi(who); } }"),
                        Map.of())
                .greeter("test.bolmo:other:1.0", "test.other.Other", "other ", List.of("test.bolmo:util:2.0"))
                .artifact("test.bolmo:mixed:1.0", List.of("test.bolmo:greeter:1.0", "test.bolmo:other:1.0"), Map.of(), Map.of())
                // a second copy of a library the kernel itself runs on
                .artifact("com.google.code.gson:gson:2.10.1", List.of(), Map.of(), Map.of())
                .artifact("test.bolmo:plugin:1.0", List.of(), Map.of(
                        "test.plugin.Plugged", "package test.plugin; public class Plugged { public static String name() { return \"plugged in\"; } }",
                        "test.plugin.PluginExtension", "package test.plugin; public class PluginExtension implements io.bolmo4j.kernel.KernelExtension {"
                                + " public java.util.List<String> imports() { return java.util.List.of(\"import test.plugin.*;\"); } }"),
                        Map.of("META-INF/services/io.bolmo4j.kernel.KernelExtension", "test.plugin.PluginExtension\n"));
        for (String n : List.of("2", "3", "4", "5")) {
            repo.greeter("test.bolmo:greeter" + n + ":1.0", "test.greet" + n + ".Greeter", "Hello " + n + ", ", List.of());
        }
        repo.greeter("test.bolmo:loose:1.0", "test.loose.Loose", "loose ", List.of());
        server = repo.serve("mirror", "loop", "pomrepo");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** A Maven user home whose settings.xml holds {@code body} and whose local repository is {@code local}. */
    static Path mavenHome(String name, Path local, String body) throws IOException {
        Path home = Files.createDirectories(tmp.resolve(name));
        Files.writeString(home.resolve("settings.xml"), "<settings><localRepository>" + local + "</localRepository>" + body + "</settings>");
        return home;
    }

    static KernelSession session(Path mavenHome) {
        return new KernelSession(new JShellEvaluator(JShellEvaluator.jvmClasspath(), KernelSession.DEFAULT_IMPORTS), mavenHome);
    }

    static String stdout(KernelSession s, String code) {
        KernelSessionTest.Recorder r = new KernelSessionTest.Recorder();
        s.execute(code, 1, false, r);
        return r.stdout.toString();
    }

    static Object value(KernelSession s, String code) {
        Map<String, Object> b = s.execute(code, 1, false, new KernelSessionTest.Recorder());
        return b == null ? null : b.get("text/plain");
    }

    @Test
    void offlineFromTheLocalRepositoryWithConflictsReported() throws Exception {
        try (KernelSession s = session(mavenHome("offline", repo.root, "<offline>true</offline>"))) {
            String out = stdout(s, "%maven test.bolmo:greeter:1.0");
            assertTrue(out.contains("%maven: added 2 jars: test.bolmo:greeter:1.0, test.bolmo:util:1.0"), out);
            assertEquals("Hello, Ada / util 1.0: Ada", value(s, "test.greet.Greeter.hi(\"Ada\")"));

            // greeter wants util 1.0, other wants 2.0: Maven keeps the first at equal depth, and says so
            out = stdout(s, "%maven test.bolmo:mixed:1.0");
            assertTrue(out.contains("added 2 jars: test.bolmo:mixed:1.0, test.bolmo:other:1.0"), out);
            assertTrue(out.contains("already on the class path: test.bolmo:greeter:1.0, test.bolmo:util:1.0"), out);
            assertTrue(out.contains("conflict: test.bolmo:util 2.0 (wanted by test.bolmo:other) lost to 1.0"), out);

            out = stdout(s, "%maven test.bolmo:util:2.0");
            assertTrue(out.contains("%maven: nothing new to add") && out.contains("conflict: test.bolmo:util 2.0 not added: an earlier %maven has 1.0"), out);
            out = stdout(s, "%maven com.google.code.gson:gson:2.10.1");
            assertTrue(out.contains("conflict: com.google.code.gson:gson 2.10.1 not added: the kernel's class path has 2.11.0"), out);

            CellException missing = assertThrows(CellException.class, () -> s.execute("%maven test.bolmo:nope:1.0", 1, false, new KernelSessionTest.Recorder()));
            assertEquals("MagicException", missing.ename());
            assertTrue(missing.evalue().startsWith("%maven: ") && missing.evalue().contains("test.bolmo:nope:jar:1.0")
                    && missing.evalue().contains("offline"), missing.evalue());
            assertFalse(missing.evalue().contains("\n"), "one line: " + missing.evalue());
            CellException bad = assertThrows(CellException.class, () -> s.execute("%maven commons-text", 1, false, new KernelSessionTest.Recorder()));
            assertEquals("%maven: expected groupId:artifactId:version (or groupId:artifactId:extension[:classifier]:version), got 'commons-text'",
                    bad.evalue());
            assertEquals("%maven: give one or more groupId:artifactId:version",
                    assertThrows(CellException.class, () -> s.execute("%maven", 1, false, new KernelSessionTest.Recorder())).evalue());
            assertTrue(assertThrows(CellException.class, () -> s.execute("%mavenRepo central", 1, false, new KernelSessionTest.Recorder()))
                    .evalue().startsWith("%mavenRepo: expected an id and an http(s) or file URL"));
        }
    }

    @Test
    void mavenCoordinatesCompleteFromTheLocalRepository() throws Exception {
        try (KernelSession s = session(mavenHome("completion", repo.root, "<offline>true</offline>"))) {
            assertEquals(List.of("test.bolmo"), s.complete("%maven test.bo", 14).matches());
            assertEquals(List.of("test.bolmo:greeter:", "test.bolmo:greeter2:", "test.bolmo:greeter3:", "test.bolmo:greeter4:",
                    "test.bolmo:greeter5:"), s.complete("%maven test.bolmo:gr", 20).matches());
            String line = "%maven test.bolmo:greeter:1.0 test.bolmo:util:";
            JShellEvaluator.Completion versions = s.complete(line, line.length());
            assertEquals(List.of("test.bolmo:util:1.0", "test.bolmo:util:2.0"), versions.matches());
            assertEquals(line.indexOf("test.bolmo:util"), versions.start());
        }
    }

    @Test
    void newJarsBringTheirKernelExtensions() throws Exception {
        try (KernelSession s = session(mavenHome("plugin", repo.root, "<offline>true</offline>"))) {
            String out = stdout(s, "%maven test.bolmo:plugin:1.0");
            assertTrue(out.contains("added 1 jar, 1 import(s) from kernel extensions: test.bolmo:plugin:1.0"), out);
            assertEquals("plugged in", value(s, "Plugged.name()"), "the extension's import applies to later cells");
        }
    }

    @Test
    void jarsMagicTakesGlobs() throws Exception {
        try (KernelSession s = session(null)) {
            String out = stdout(s, "%jars " + repo.root + "/test/bolmo/loose/*/*.jar");
            assertEquals("%jars: added 1 jar\n", out);
            assertEquals("loose x", value(s, "test.loose.Loose.hi(\"x\")"));
            CellException none = assertThrows(CellException.class, () -> s.execute("%jars " + repo.root + "/none/**/*.jar", 1, false,
                    new KernelSessionTest.Recorder()));
            assertTrue(none.evalue().startsWith("%jars: no jar matches "), none.evalue());
        }
    }

    @Test
    void downloadsThroughTheSettingsMirrorAndProxy() throws Exception {
        // every repository is mirrored to a host that does not exist: only the proxy of settings.xml can reach it
        int port = server.http.getAddress().getPort();
        Path home = mavenHome("mirrored", tmp.resolve("local-mirrored"), "<mirrors><mirror><id>all</id><mirrorOf>*</mirrorOf>"
                + "<url>http://repo.bolmo4j.invalid/mirror/</url></mirror></mirrors><proxies><proxy><id>p</id><active>true</active>"
                + "<protocol>http</protocol><host>127.0.0.1</host><port>" + port + "</port></proxy></proxies>");
        try (KernelSession s = session(home)) {
            String out = stdout(s, "%maven test.bolmo:greeter2:1.0");
            assertTrue(out.contains("downloaded greeter2-1.0.jar") && out.contains("from all"), out);
            assertTrue(server.requests.contains("GET http://repo.bolmo4j.invalid/mirror/test/bolmo/greeter2/1.0/greeter2-1.0.jar"),
                    server.requests.toString());
            assertEquals("Hello 2, Bo", value(s, "test.greet2.Greeter.hi(\"Bo\")"));
            assertTrue(Files.isRegularFile(tmp.resolve("local-mirrored/test/bolmo/greeter2/1.0/greeter2-1.0.jar")), "into the local repository");
        }
    }

    @Test
    void addedRepositoriesAndPoms() throws Exception {
        // Central mirrored to a loopback path that has nothing: no test reaches the real Central
        Path home = mavenHome("repos", tmp.resolve("local-repos"), "<mirrors><mirror><id>no-central</id><mirrorOf>central</mirrorOf>"
                + "<url>" + server.url("nothing") + "</url></mirror></mirrors>");
        try (KernelSession s = session(home)) {
            CellException before = assertThrows(CellException.class, () -> s.execute("%maven test.bolmo:greeter3:1.0", 1, false,
                    new KernelSessionTest.Recorder()));
            assertTrue(before.evalue().contains("test.bolmo:greeter3:jar:1.0") && before.evalue().contains("no-central"), before.evalue());

            // a POM's own repositories, properties and dependency management are applied
            Path pom = tmp.resolve("pom.xml");
            Files.writeString(pom, "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                    + "<groupId>demo</groupId><artifactId>demo</artifactId><version>1</version>"
                    + "<properties><greeter.version>1.0</greeter.version></properties>"
                    + "<repositories><repository><id>pomrepo</id><url>" + server.url("pomrepo") + "</url></repository></repositories>"
                    + "<dependencyManagement><dependencies><dependency><groupId>test.bolmo</groupId><artifactId>greeter4</artifactId>"
                    + "<version>${greeter.version}</version></dependency></dependencies></dependencyManagement>"
                    + "<dependencies><dependency><groupId>test.bolmo</groupId><artifactId>greeter4</artifactId></dependency>"
                    + "<dependency><groupId>test.bolmo</groupId><artifactId>greeter5</artifactId><version>1.0</version><scope>test</scope></dependency>"
                    + "</dependencies></project>");
            String out = stdout(s, "%loadFromPOM " + pom);
            assertTrue(out.contains("%loadFromPOM: added 1 jar: test.bolmo:greeter4:1.0"), "test scope left out: " + out);
            assertTrue(server.requests.contains("GET /pomrepo/test/bolmo/greeter4/1.0/greeter4-1.0.jar"), server.requests.toString());
            assertEquals("Hello 4, Di", value(s, "test.greet4.Greeter.hi(\"Di\")"));

            assertTrue(stdout(s, "%mavenRepo loop " + server.url("loop")).startsWith("%mavenRepo: loop (" + server.url("loop") + ")"));
            assertTrue(stdout(s, "%maven test.bolmo:greeter3:1.0").contains("added 1 jar: test.bolmo:greeter3:1.0"));
            assertEquals("Hello 3, Cy", value(s, "test.greet3.Greeter.hi(\"Cy\")"));

            out = stdout(s, "%%loadFromPOM\n<dependencies><dependency><groupId>test.bolmo</groupId><artifactId>greeter5</artifactId>"
                    + "<version>1.0</version></dependency></dependencies>");
            assertTrue(out.contains("%%loadFromPOM: added 1 jar: test.bolmo:greeter5:1.0"), out);
            assertEquals("Hello 5, Ed", value(s, "test.greet5.Greeter.hi(\"Ed\")"));

            CellException noPom = assertThrows(CellException.class, () -> s.execute("%loadFromPOM missing.xml", 1, false,
                    new KernelSessionTest.Recorder()));
            assertTrue(noPom.evalue().startsWith("%loadFromPOM: no such file: "), noPom.evalue());
        }
    }
}
