package io.bolmo4j.kernel.deps;

import io.bolmo4j.kernel.KernelExtensions;
import io.bolmo4j.kernel.display.Renderers;
import io.bolmo4j.kernel.exec.JShellEvaluator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The class path a session adds to the kernel's own ({@code %classpath}, {@code %jars}, {@code %maven},
 * {@code %loadFromPOM}): entries join JShell's class path, and the {@link io.bolmo4j.kernel.KernelExtension}s and
 * display renderers they bring are loaded. Maven artifacts are known by {@code groupId:artifactId}, so one already
 * present (on the kernel's class path or added before) is not added again, and a second version is refused: the
 * class loader would keep serving the first.
 */
public final class SessionClasspath {
    /** A new entry's outcome: extensions' import statements to evaluate, and how many renderers came with it. */
    public record Added(List<Path> entries, int renderers, List<String> imports) {}

    /** What adding resolved artifacts did. */
    public record Outcome(List<Resolution.Jar> added, List<Resolution.Jar> present, List<String> conflicts, Added loaded) {}

    private final JShellEvaluator shell;
    private final List<Path> entries = new ArrayList<>();
    /** groupId:artifactId -> version and where it came from, for the kernel's jars (read on first use) and added ones. */
    private Map<String, Origin> artifacts;

    private record Origin(String version, String from) {}

    public SessionClasspath(JShellEvaluator shell) {
        this.shell = shell;
    }

    /** Entries added in this session, in order. */
    public List<Path> entries() {
        return List.copyOf(entries);
    }

    /** Adds jars or class folders given by path, loading their renderers and kernel extensions. */
    public Added add(List<Path> paths) {
        Map<String, Origin> known = artifacts();
        for (Path p : paths) {
            mavenIdentity(p).forEach((ga, v) -> known.putIfAbsent(ga, new Origin(v, p.getFileName() + " (added by path)")));
        }
        return addEntries(paths);
    }

    private Added addEntries(List<Path> paths) {
        List<URL> urls = new ArrayList<>();
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            shell.addToClasspath(abs.toString());
            entries.add(abs);
            urls.add(url(abs));
        }
        URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), SessionClasspath.class.getClassLoader());
        int renderers = Renderers.loadServices(loader);
        return new Added(List.copyOf(paths), renderers, KernelExtensions.start(loader));
    }

    /**
     * Adds resolved artifacts that are not yet present; a different version of one already present is a conflict
     * (reported, not added).
     */
    public Outcome add(Resolution resolution, String origin) {
        Map<String, Origin> known = artifacts();
        List<Resolution.Jar> fresh = new ArrayList<>(), present = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        resolution.mediations().forEach(m -> conflicts.add(m.toString()));
        for (Resolution.Jar j : resolution.jars()) {
            Origin o = known.get(j.key());
            if (o == null) {
                fresh.add(j);
            } else if (o.version().equals(j.version())) {
                present.add(j);
            } else {
                conflicts.add(j.key() + " " + j.version() + " not added: " + o.from() + " has " + o.version()
                        + ", which classes keep loading from (restart the kernel to use another version)");
            }
        }
        Added loaded = addEntries(fresh.stream().map(Resolution.Jar::file).toList());
        fresh.forEach(j -> known.put(j.key(), new Origin(j.version(), "an earlier " + origin)));
        return new Outcome(fresh, present, conflicts, loaded);
    }

    private synchronized Map<String, Origin> artifacts() {
        if (artifacts == null) {
            artifacts = new HashMap<>();
            for (String e : JShellEvaluator.jvmClasspath()) {
                if (e.endsWith(".jar")) {
                    mavenIdentity(Path.of(e)).forEach((ga, v) -> artifacts.putIfAbsent(ga, new Origin(v, "the kernel's class path")));
                }
            }
        }
        return artifacts;
    }

    /** {@code groupId:artifactId -> version} of a jar from its {@code pom.properties} (none for a jar without one). */
    static Map<String, String> mavenIdentity(Path jar) {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(jar)) {
            return out;
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<Properties> poms = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry z = en.nextElement();
                if (z.getName().startsWith("META-INF/maven/") && z.getName().endsWith("/pom.properties")) {
                    Properties p = new Properties();
                    try (InputStream in = zip.getInputStream(z)) {
                        p.load(in);
                    }
                    poms.add(p);
                }
            }
            // a shaded jar lists the poms of what it bundles (often relocated): only a jar's single pom names it
            if (poms.size() == 1 && poms.get(0).getProperty("version") != null) {
                Properties p = poms.get(0);
                out.put(p.getProperty("groupId") + ":" + p.getProperty("artifactId"), p.getProperty("version"));
            }
        } catch (IOException e) {
            // not a readable jar: it simply has no Maven identity
        }
        return out;
    }

    private static URL url(Path path) {
        try {
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }
}
