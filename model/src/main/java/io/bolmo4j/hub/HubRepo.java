package io.bolmo4j.hub;

import java.util.Arrays;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A model repository on the Hub at a revision, written {@code ORG/NAME} or {@code ORG/NAME@REVISION} (a branch, a tag
 * or a commit hash; default {@code main}).
 *
 * @param id       {@code ORG/NAME}
 * @param revision the branch, tag or commit
 */
public record HubRepo(String id, String revision) {
    public static final String MAIN = "main";
    /** huggingface_hub's rule for repository ids (validate_repo_id), with the organisation required. */
    private static final Pattern ID = Pattern.compile("[\\w.-]{1,96}/[\\w.-]{1,96}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    /** A relative '/'-separated path that stays inside the folder it is resolved against (no '..', no '\\'). */
    static final Predicate<String> SAFE_PATH = p -> !p.isEmpty() && !p.startsWith("/") && !p.contains("\\")
            && Arrays.stream(p.split("/", -1)).noneMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."));

    public HubRepo {
        if (!isId(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a Hub repository id (ORG/NAME: letters, digits, '-', '_', '.')");
        }
        if (revision == null || revision.isBlank()) {
            throw new IllegalArgumentException(id + ": empty revision");
        }
        if (!SAFE_PATH.test(revision)) {
            throw new IllegalArgumentException(id + ": revision '" + revision + "' is not a branch, tag or commit name");
        }
    }

    /** Reads {@code ORG/NAME[@REVISION]}. */
    public static HubRepo parse(String ref) {
        int at = ref.indexOf('@');
        return at < 0 ? new HubRepo(ref, MAIN) : new HubRepo(ref.substring(0, at), ref.substring(at + 1));
    }

    /** Whether {@code ref} reads as {@code ORG/NAME[@REVISION]}. */
    public static boolean looksLike(String ref) {
        int at = ref.indexOf('@');
        return isId(at < 0 ? ref : ref.substring(0, at)) && (at < 0 || at < ref.length() - 1);
    }

    private static boolean isId(String id) {
        return id != null && ID.matcher(id).matches() && !id.contains("--") && !id.contains("..")
                && !id.startsWith(".") && !id.endsWith(".");
    }

    /** The cache folder's name, {@code models--ORG--NAME}, as huggingface_hub's repo_folder_name writes it. */
    public String folderName() {
        return "models--" + id.replace("/", "--");
    }

    /** Whether the revision is a full commit hash (which never moves, so needs no {@code refs/} entry). */
    public boolean isCommit() {
        return COMMIT.matcher(revision).matches();
    }

    /** The same repository at another revision. */
    public HubRepo at(String otherRevision) {
        return new HubRepo(id, otherRevision);
    }

    /** {@code ORG/NAME} on main, else {@code ORG/NAME@REVISION}. */
    @Override
    public String toString() {
        return revision.equals(MAIN) ? id : id + "@" + revision;
    }
}
