package io.bolmo4j.kernel.deps;

import eu.maveniverse.maven.mima.context.Context;
import eu.maveniverse.maven.mima.context.ContextOverrides;
import eu.maveniverse.maven.mima.context.Runtimes;
import eu.maveniverse.maven.mima.extensions.mmr.MavenModelReader;
import eu.maveniverse.maven.mima.extensions.mmr.ModelRequest;
import eu.maveniverse.maven.mima.extensions.mmr.ModelResponse;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.io.xpp3.SettingsXpp3Reader;
import org.codehaus.plexus.util.xml.pull.XmlPullParserException;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositoryException;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.graph.DependencyFilter;
import org.eclipse.aether.graph.DependencyNode;
import org.eclipse.aether.graph.DependencyVisitor;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactDescriptorResult;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.resolution.DependencyResult;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.TransferEvent;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.graph.transformer.ConflictResolver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Maven artifacts for a notebook session, resolved by Maven's own resolver (Maven Resolver set up by MIMA as Maven
 * sets it up): the user's {@code settings.xml} (local repository, mirrors, proxies, servers' credentials, active
 * profiles' repositories, {@code <offline>}), Maven Central and the repositories added with
 * {@link #addRepository}. Resolution is transitive over the runtime class path, with Maven's conflict mediation
 * (nearest wins) whose decisions are reported.
 */
public final class MavenResolver implements AutoCloseable {
    private final Context context;
    private final RepositorySystem system;
    private final DefaultRepositorySystemSession session;
    private final Map<String, RemoteRepository> added = new LinkedHashMap<>();

    /**
     * @param mavenUserHome the {@code .m2} folder with {@code settings.xml} and the default local repository; null for
     *                      the user's own ({@code ~/.m2})
     * @param log           where downloads are reported, one line each
     */
    public MavenResolver(Path mavenUserHome, Consumer<String> log) {
        ContextOverrides.Builder overrides = ContextOverrides.create().withUserSettings(true);
        if (mavenUserHome != null) {
            overrides.withMavenUserHomeOverride(mavenUserHome);
        }
        Path home = mavenUserHome != null ? mavenUserHome : Path.of(System.getProperty("user.home"), ".m2");
        // MIMA reads settings.xml's mirrors, proxies and profiles but leaves <offline> to its caller, as Maven's CLI does
        if (offline(home.resolve("settings.xml")) || offline(globalSettings())) {
            overrides.offline(true);
        }
        context = Runtimes.INSTANCE.getRuntime().create(overrides.build());
        system = context.repositorySystem();
        session = new DefaultRepositorySystemSession(context.repositorySystemSession());
        session.setConfigProperty(ConflictResolver.CONFIG_PROP_VERBOSE, true); // keep the losers, to report them
        session.setTransferListener(new AbstractTransferListener() {
            @Override
            public void transferSucceeded(TransferEvent event) {
                String name = event.getResource().getResourceName();
                if (!name.endsWith(".sha1") && !name.endsWith(".md5") && !name.endsWith(".xml")) {
                    log.accept("downloaded " + name.substring(name.lastIndexOf('/') + 1) + " (" + kilobytes(event.getTransferredBytes())
                            + ") from " + event.getResource().getRepositoryId());
                }
            }
        });
    }

    private static Path globalSettings() {
        String home = System.getProperty("maven.home", System.getenv("MAVEN_HOME"));
        return home == null ? null : Path.of(home, "conf", "settings.xml");
    }

    private static boolean offline(Path settings) {
        if (settings == null || !Files.isRegularFile(settings)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(settings)) {
            Settings s = new SettingsXpp3Reader().read(in, false);
            return s.isOffline();
        } catch (IOException | XmlPullParserException e) {
            throw new ResolutionException("cannot read " + settings + ": " + e.getMessage());
        }
    }

    private static String kilobytes(long bytes) {
        return bytes < 1024 ? bytes + " B" : bytes / 1024 + " KB";
    }

    /** Whether settings.xml switched Maven to offline mode (only the local repository is read). */
    public boolean offline() {
        return session.isOffline();
    }

    /** The local repository artifacts are read from and downloaded to. */
    public Path localRepository() {
        return session.getLocalRepository().getBasedir().toPath();
    }

    /** Adds (or, for a known id, replaces) a remote repository; settings.xml's mirrors and proxies apply to it. */
    public void addRepository(String id, String url) {
        added.put(id, new RemoteRepository.Builder(id, "default", url).build());
    }

    /** The remote repositories searched, in order: the settings' (Central first), then those added. */
    public List<RemoteRepository> repositories() {
        List<RemoteRepository> all = new ArrayList<>(context.remoteRepositories());
        all.addAll(system.newResolutionRepositories(session, new ArrayList<>(added.values())));
        return all;
    }

    /**
     * Resolves artifacts ({@code groupId:artifactId[:extension[:classifier]]:version}) with their runtime dependencies.
     *
     * @throws ResolutionException naming the coordinate or the artifact that could not be had, in one line
     */
    public Resolution resolve(List<String> coordinates) {
        List<Dependency> roots = new ArrayList<>();
        for (String c : coordinates) {
            roots.add(new Dependency(artifact(c), JavaScopes.COMPILE));
        }
        CollectRequest collect = new CollectRequest(roots, List.of(), repositories());
        return resolve(collect);
    }

    /**
     * Resolves the compile and runtime dependencies of a POM (its effective model: parents, properties, imported
     * BOMs and dependency management applied), searching its own repositories too.
     */
    public Resolution resolvePom(Path pom) {
        if (!Files.isRegularFile(pom)) {
            throw new ResolutionException("no such file: " + pom.toAbsolutePath());
        }
        ArtifactDescriptorResult descriptor;
        try {
            ModelResponse model = new MavenModelReader(context).readModel(ModelRequest.builder().setPomFile(pom.toAbsolutePath()).build());
            descriptor = model.toArtifactDescriptorResult(model.getEffectiveModel());
        } catch (RepositoryException | RuntimeException e) {
            throw new ResolutionException(pom.getFileName() + ": " + oneLine(e));
        }
        List<RemoteRepository> repositories = repositories();
        repositories.addAll(system.newResolutionRepositories(session, descriptor.getRepositories()));
        List<Dependency> roots = descriptor.getDependencies().stream()
                .filter(d -> d.getScope().isEmpty() || d.getScope().equals(JavaScopes.COMPILE) || d.getScope().equals(JavaScopes.RUNTIME))
                .collect(Collectors.toList());
        if (roots.isEmpty()) {
            return new Resolution(List.of(), List.of());
        }
        return resolve(new CollectRequest(roots, descriptor.getManagedDependencies(), repositories));
    }

    private Resolution resolve(CollectRequest collect) {
        DependencyFilter winners = (node, parents) -> !node.getData().containsKey(ConflictResolver.NODE_DATA_WINNER);
        DependencyFilter filter = DependencyFilterUtils.andFilter(DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME), winners);
        DependencyResult result;
        try {
            result = system.resolveDependencies(session, new DependencyRequest(collect, filter));
        } catch (DependencyResolutionException e) {
            throw new ResolutionException(failure(e));
        }
        List<Resolution.Jar> jars = new ArrayList<>();
        for (ArtifactResult r : result.getArtifactResults()) {
            Artifact a = r.getArtifact();
            jars.add(new Resolution.Jar(a.getGroupId(), a.getArtifactId(), a.getVersion(), a.getFile().toPath()));
        }
        return new Resolution(jars, mediations(result.getRoot()));
    }

    /** Where Maven's nearest-wins rule picked another version than a dependency asked for. */
    private static List<Resolution.Mediation> mediations(DependencyNode root) {
        List<Resolution.Mediation> out = new ArrayList<>();
        root.accept(new DependencyVisitor() {
            private final Deque<DependencyNode> path = new ArrayDeque<>();

            @Override
            public boolean visitEnter(DependencyNode node) {
                Object winner = node.getData().get(ConflictResolver.NODE_DATA_WINNER);
                if (winner instanceof DependencyNode w && node.getArtifact() != null
                        && !w.getArtifact().getVersion().equals(node.getArtifact().getVersion())) {
                    DependencyNode parent = path.peek();
                    String wantedBy = parent == null || parent.getArtifact() == null ? "the request" : ga(parent.getArtifact());
                    out.add(new Resolution.Mediation(ga(node.getArtifact()), node.getArtifact().getVersion(), wantedBy,
                            w.getArtifact().getVersion()));
                }
                path.push(node);
                return true;
            }

            @Override
            public boolean visitLeave(DependencyNode node) {
                path.pop();
                return true;
            }
        });
        return out;
    }

    private static String ga(Artifact a) {
        return a.getGroupId() + ":" + a.getArtifactId();
    }

    static Artifact artifact(String coordinate) {
        try {
            return new DefaultArtifact(coordinate.strip());
        } catch (IllegalArgumentException e) {
            throw new ResolutionException("expected groupId:artifactId:version (or groupId:artifactId:extension[:classifier]:version), got '"
                    + coordinate.strip() + "'");
        }
    }

    /** The first artifact that could not be had, or the collection failure, as one line. */
    private static String failure(DependencyResolutionException e) {
        DependencyResult r = e.getResult();
        List<String> problems = new ArrayList<>();
        if (r != null) {
            r.getCollectExceptions().forEach(x -> problems.add(oneLine(x)));
            for (ArtifactResult a : r.getArtifactResults()) {
                a.getExceptions().stream().findFirst().ifPresent(x -> problems.add(oneLine(x)));
            }
        }
        if (problems.isEmpty()) {
            problems.add(oneLine(e));
        }
        return problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    }

    /** The messages of an exception chain in one line, each cause only where its parent does not already quote it. */
    static String oneLine(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().lines().map(String::strip).filter(l -> !l.isEmpty())
                    .collect(Collectors.joining(" "));
            if (!m.isEmpty() && sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
            }
        }
        return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
    }

    @Override
    public void close() {
        context.close();
    }

    /** An artifact that cannot be resolved, or bad input; the message is one line meant for the user. */
    public static final class ResolutionException extends RuntimeException {
        public ResolutionException(String message) {
            super(message);
        }
    }
}
