package io.bolmo4j.kernel.deps;

import com.sun.net.httpserver.HttpServer;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A folder laid out as a Maven repository, built by the test: jars compiled from the given sources (against the test
 * class path, so they may implement kernel interfaces) and POMs with their dependencies; {@link #serve()} puts it
 * behind a loopback HTTP server.
 */
public final class TestRepository {
    public final Path root;

    public TestRepository(Path root) {
        this.root = root;
    }

    /**
     * Writes {@code groupId:artifactId:version}: its POM listing {@code dependencies} (G:A:V, compile scope) and a jar of
     * {@code sources} (class name -> Java source) plus {@code resources} (path -> text).
     */
    public TestRepository artifact(String gav, List<String> dependencies, Map<String, String> sources, Map<String, String> resources)
            throws IOException {
        String[] c = gav.split(":");
        Path dir = root.resolve(c[0].replace('.', '/')).resolve(c[1]).resolve(c[2]);
        Files.createDirectories(dir);
        StringBuilder deps = new StringBuilder();
        for (String d : dependencies) {
            String[] x = d.split(":");
            deps.append("<dependency><groupId>").append(x[0]).append("</groupId><artifactId>").append(x[1])
                    .append("</artifactId><version>").append(x[2]).append("</version></dependency>");
        }
        Files.writeString(dir.resolve(c[1] + "-" + c[2] + ".pom"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">"
                + "<modelVersion>4.0.0</modelVersion><groupId>" + c[0] + "</groupId><artifactId>" + c[1] + "</artifactId><version>"
                + c[2] + "</version><dependencies>" + deps + "</dependencies></project>");
        Path src = Files.createTempDirectory("bolmo4j-repo-src");
        Path classes = Files.createTempDirectory("bolmo4j-repo-classes");
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (String d : dependencies) {
            cp.append(File.pathSeparator).append(jar(d));
        }
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", cp.toString()));
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path f = src.resolve(s.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, s.getValue());
            args.add(f.toString());
        }
        if (!sources.isEmpty()) {
            assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)), "test sources compile");
        }
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(jar(gav)));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
            for (Map.Entry<String, String> r : resources.entrySet()) {
                jar.putNextEntry(new JarEntry(r.getKey()));
                jar.write(r.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return this;
    }

    /** The jar file of {@code groupId:artifactId:version} in this repository. */
    public Path jar(String gav) {
        String[] c = gav.split(":");
        return root.resolve(c[0].replace('.', '/')).resolve(c[1]).resolve(c[2]).resolve(c[1] + "-" + c[2] + ".jar");
    }

    /** A plain class {@code pkg.Name} with a static method {@code String hi(String)} returning {@code greeting + who}. */
    public TestRepository greeter(String gav, String className, String greeting, List<String> dependencies) throws IOException {
        String pkg = className.substring(0, className.lastIndexOf('.'));
        String name = className.substring(className.lastIndexOf('.') + 1);
        return artifact(gav, dependencies, Map.of(className, "package " + pkg + "; public class " + name
                + " { public static String hi(String who) { return \"" + greeting + "\" + who; } }"), Map.of());
    }

    /** The repository behind {@code http://127.0.0.1:PORT/PREFIX/}; request paths are recorded in {@code requests}. */
    public static final class Server implements AutoCloseable {
        public final HttpServer http;
        public final List<String> requests = Collections.synchronizedList(new ArrayList<>());

        Server(HttpServer http) {
            this.http = http;
        }

        /** The base URL of the repository served under {@code prefix} ("" for the root). */
        public String url(String prefix) {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/" + (prefix.isEmpty() ? "" : prefix + "/");
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    /**
     * Serves the repository on a loopback port under every path prefix in {@code prefixes} (a request for another
     * prefix gets 404), also as an HTTP proxy would be asked (absolute URIs): what is asked is recorded either way.
     */
    public Server serve(String... prefixes) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Server server = new Server(http);
        http.createContext("/", exchange -> {
            String uri = exchange.getRequestURI().toString();
            server.requests.add(exchange.getRequestMethod() + " " + uri);
            String path = exchange.getRequestURI().getPath();
            Path file = null;
            for (String prefix : prefixes) {
                String p = "/" + (prefix.isEmpty() ? "" : prefix + "/");
                if (path.startsWith(p)) {
                    Path f = root.resolve(path.substring(p.length())).normalize();
                    if (f.startsWith(root) && Files.isRegularFile(f)) {
                        file = f;
                    }
                }
            }
            if (file == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                byte[] body = Files.readAllBytes(file);
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(200, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
            exchange.close();
        });
        http.start();
        return server;
    }
}
