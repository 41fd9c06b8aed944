package io.entrawatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Reading folders that running processes still change: RocksDB creates and deletes its files (its
 * {@code LOG.old.*}, SST files after a compaction, a whole instance folder when a task is cancelled)
 * while a test lists them. A file that vanishes between listing and reading is not an error of the
 * test; every other I/O error still is.
 */
public final class FileTrees {
    private FileTrees() {}

    /** The regular files below {@code root}, sorted; what vanishes while the tree is walked is left out. */
    public static List<Path> regularFiles(Path root) {
        List<Path> files = new ArrayList<>();
        if (!Files.exists(root)) return files;
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) files.add(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE; // deleted meanwhile
                    throw e;
                }
            });
        } catch (NoSuchFileException e) {
            // the root itself went away while it was walked: nothing below it any more
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Collections.sort(files);
        return files;
    }

    /** The file's bytes, or empty when it was deleted since it was listed. */
    public static Optional<byte[]> readIfPresent(Path file) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
