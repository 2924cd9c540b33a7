package io.bolmo4j.export;

/**
 * One written token array.
 *
 * @param path      file name relative to the data directory (e.g. {@code part-00000.npy})
 * @param tokens    ids in the file, end-of-document ids included
 * @param documents documents in the file (each ends with the end-of-document id)
 * @param bytes     file size
 * @param sha256    hex SHA-256 of the file
 */
public record ArrayFile(String path, long tokens, long documents, long bytes, String sha256) {}
