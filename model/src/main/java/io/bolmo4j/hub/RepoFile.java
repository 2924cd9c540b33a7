package io.bolmo4j.hub;

/**
 * One file of a repository at a commit, as the Hub's tree listing describes it.
 *
 * @param path      the path inside the repository, '/'-separated
 * @param size      bytes
 * @param blobId    the git blob id (sha1) of the file, or of its LFS pointer for a large file
 * @param lfsSha256 the sha256 of a file stored with git-lfs (weights), else null
 * @param xetHash   the Xet content hash where the Hub reports one, else null (kept for huggingface_hub's tree cache)
 */
public record RepoFile(String path, long size, String blobId, String lfsSha256, String xetHash) {
    /** Whether the file is stored with git-lfs, and so has a sha256 to check the download against. */
    public boolean isLfs() {
        return lfsSha256 != null;
    }
}
