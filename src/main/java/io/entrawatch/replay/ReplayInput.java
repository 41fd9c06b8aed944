package io.entrawatch.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a replay reads: one file, or every file of a directory tree, in replay order, each of them one
 * split played as one Event Hubs partition (docs/replay.md, "Archives").
 *
 * <p>Which files: every regular file whose name and whose folders' names (below the root) do not start
 * with {@code .}; files compressed as {@code .gz}, {@code .gzip}, {@code .deflate} or {@code .bz2} are
 * decompressed (Flink's decompressors, chosen by the extension), every other file is read as lines. Left
 * out, each counted with its reason: hidden files and folders, files in a compression or archive format
 * replay does not read ({@link #UNREAD_FORMATS}), things that are not regular files (a socket, a symbolic
 * link to a folder: links are not followed into folders), files that vanish while the tree is listed.
 *
 * <p>Replay order: files whose path has Azure's archive layout ({@code y=YYYY/m=MM/d=DD/h=HH/m=MM}) by
 * that hour, then by path; files without it before them, by path. Paths compare as strings of their
 * parts below the root joined by {@code /}.
 */
public final class ReplayInput {
    /** Extensions of formats replay does not read, with what they are. */
    static final List<String[]> UNREAD_FORMATS = List.of(
            new String[] {".xz", "xz-compressed"}, new String[] {".zst", "zstd-compressed"},
            new String[] {".lz4", "lz4-compressed"}, new String[] {".snappy", "snappy-compressed"},
            new String[] {".zip", "a zip archive"}, new String[] {".7z", "a 7-zip archive"},
            new String[] {".tar", "a tar archive"}, new String[] {".tgz", "a tar archive"},
            new String[] {".tar.gz", "a tar archive"});
    /** The extensions replay decompresses (Flink's StandardDeCompressors, whose decompressors are on the classpath). */
    static final List<String> COMPRESSED = List.of(".gz", ".gzip", ".deflate", ".bz2");

    private static final Pattern AZURE_HOUR = Pattern.compile(
            "(?:^|/)y=(\\d{4})/m=(\\d{1,2})/d=(\\d{1,2})/h=(\\d{1,2})(?:/m=(\\d{1,2}))?(?:/|$)");

    /** One file to read: its place in replay order, where it is, how it is named in dead letters. */
    public record InputFile(int index, Path path, String name, long size, boolean compressed) {}

    /** A file or folder left out, and why. */
    public record Skipped(String path, String reason) {}

    private final Path root;
    private final boolean directory;
    private final List<InputFile> files;
    private final List<Skipped> skipped;

    private ReplayInput(Path root, boolean directory, List<InputFile> files, List<Skipped> skipped) {
        this.root = root;
        this.directory = directory;
        this.files = List.copyOf(files);
        this.skipped = List.copyOf(skipped);
    }

    /**
     * The input at {@code in}: the file itself (whatever its name; compressed when its extension says so), or
     * the files of the tree below the folder.
     *
     * @throws UncheckedIOException when {@code in} does not exist or cannot be read, or a file of the tree
     *     cannot be read (a replay that silently lost a file would be wrong)
     */
    public static ReplayInput of(Path in) {
        if (Files.isDirectory(in)) return directory(in);
        if (!Files.isRegularFile(in) || !Files.isReadable(in)) {
            throw new UncheckedIOException(new IOException("input " + in
                    + (Files.exists(in) ? " is neither a readable file nor a folder" : " does not exist")));
        }
        String name = in.getFileName().toString();
        try {
            return new ReplayInput(in, false, List.of(new InputFile(0, in, name, Files.size(in), isCompressed(name))), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ReplayInput directory(Path root) {
        List<InputFile> found = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
                        skipped.add(new Skipped(relative(root, dir) + "/", "a hidden folder"));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String rel = relative(root, file);
                    String name = file.getFileName().toString();
                    if (name.startsWith(".")) {
                        skipped.add(new Skipped(rel, "a hidden file"));
                    } else if (attrs.isSymbolicLink()) {
                        if (Files.isRegularFile(file)) {
                            add(file, rel, name);
                        } else {
                            skipped.add(new Skipped(rel, Files.isDirectory(file)
                                    ? "a symbolic link to a folder (links are not followed into folders)"
                                    : "a symbolic link to nothing readable"));
                        }
                    } else if (!attrs.isRegularFile()) {
                        skipped.add(new Skipped(rel, "not a regular file"));
                    } else {
                        add(file, rel, name);
                    }
                    return FileVisitResult.CONTINUE;
                }

                private void add(Path file, String rel, String name) throws IOException {
                    String unread = unreadFormat(name);
                    if (unread != null) {
                        skipped.add(new Skipped(rel, unread + ", which replay does not read: decompress it, or compress it as .gz"));
                        return;
                    }
                    if (!Files.isReadable(file)) throw new IOException("input file " + file + " is not readable");
                    found.add(new InputFile(-1, file, rel, Files.size(file), isCompressed(name)));
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        skipped.add(new Skipped(relative(root, file), "vanished while the folder was listed"));
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.sort(Comparator.comparing((InputFile f) -> azureHour(f.name())).thenComparing(InputFile::name));
        List<InputFile> ordered = new ArrayList<>(found.size());
        for (InputFile f : found) ordered.add(new InputFile(ordered.size(), f.path(), f.name(), f.size(), f.compressed()));
        skipped.sort(Comparator.comparing(Skipped::path));
        return new ReplayInput(root, true, ordered, skipped);
    }

    private static String relative(Path root, Path p) {
        Path rel = root.relativize(p);
        List<String> parts = new ArrayList<>();
        for (Path part : rel) parts.add(part.toString());
        return String.join("/", parts);
    }

    /**
     * The hour of Azure's archive layout in a relative path, as {@code YYYY-MM-DDTHH:MM}, or "" when the path
     * does not have it (those files sort first).
     */
    static String azureHour(String relativePath) {
        Matcher m = AZURE_HOUR.matcher(relativePath);
        if (!m.find()) return "";
        return String.format(Locale.ROOT, "%s-%02d-%02dT%02d:%02d", m.group(1), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), m.group(5) == null ? 0 : Integer.parseInt(m.group(5)));
    }

    static boolean isCompressed(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return COMPRESSED.stream().anyMatch(lower::endsWith);
    }

    static String unreadFormat(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String[] f : UNREAD_FORMATS) if (lower.endsWith(f[0])) return f[1];
        return null;
    }

    /** The path given: the file or the folder. */
    public Path root() {
        return root;
    }

    public boolean isDirectory() {
        return directory;
    }

    /** The files to read, in replay order ({@code files().get(i).index() == i}). */
    public List<InputFile> files() {
        return files;
    }

    /** What the tree had that is not read, by path. */
    public List<Skipped> skipped() {
        return skipped;
    }

    public long totalBytes() {
        return files.stream().mapToLong(InputFile::size).sum();
    }

    /** One line about what is read and what is not, then one line per skipped path. */
    public String describe() {
        long compressed = files.stream().filter(InputFile::compressed).count();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "replay: %s: %,d file%s (%,d compressed), %,.1f MB",
                root, files.size(), files.size() == 1 ? "" : "s", compressed, totalBytes() / 1e6));
        if (!skipped.isEmpty()) b.append(String.format(Locale.ROOT, "; %,d left out:", skipped.size()));
        for (Skipped s : skipped) b.append("\n  left out ").append(s.path()).append(": ").append(s.reason());
        return b.toString();
    }
}
