package io.bolmo4j.kernel.deps;

import java.nio.file.Path;
import java.util.List;

/**
 * What a Maven resolution gave: the jars of the runtime class path in Maven's order, and where conflict mediation
 * chose another version than a dependency asked for.
 */
public record Resolution(List<Jar> jars, List<Mediation> mediations) {
    /** One resolved artifact and its file in the local repository. */
    public record Jar(String groupId, String artifactId, String version, Path file) {
        /** {@code groupId:artifactId}. */
        public String key() {
            return groupId + ":" + artifactId;
        }

        @Override
        public String toString() {
            return key() + ":" + version;
        }
    }

    /** {@code wantedBy} asked for {@code artifact} at {@code asked}; Maven's nearest-wins rule kept {@code kept}. */
    public record Mediation(String artifact, String asked, String wantedBy, String kept) {
        @Override
        public String toString() {
            return artifact + " " + asked + " (wanted by " + wantedBy + ") lost to " + kept;
        }
    }
}
