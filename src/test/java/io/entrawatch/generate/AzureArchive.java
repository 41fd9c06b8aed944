package io.entrawatch.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Generated traffic written as Azure's archive of a diagnostic setting (docs/replay.md, "a folder"):
 * {@code <container>/resourceId=/tenants/<id>/providers/Microsoft.aadiam/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json},
 * one bare record per line, each record in the blob of the hour of its own {@code time} field. Records keep
 * the order in which they are written within their blob. A line that is not JSON, or a record without a
 * time, goes to the blob of the record written before it (the generator's start hour if none was).
 */
public final class AzureArchive implements Closeable {
    /** The container of Azure's interactive sign-ins category. */
    public static final String SIGN_IN_CONTAINER = "insights-logs-signinlogs";
    /** The path below a container, up to the hour: one tenant's Entra ID logs. */
    public static final String TENANT_PATH = "resourceId=/tenants/5f1e4a8e-0000-4000-8000-000000000001/providers/Microsoft.aadiam/";

    /** One container per category, as Azure's diagnostic setting writes them ({@code insights-logs-<category>}). */
    public static final Function<JsonNode, String> BY_CATEGORY =
            r -> "insights-logs-" + r.path("category").asText("other").toLowerCase(Locale.ROOT);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HOUR = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d.*");

    private final Path root;
    private final Function<JsonNode, String> container;
    private final boolean gzipEveryThird;
    private final Map<Path, OutputStream> blobs = new LinkedHashMap<>();
    private String hour;
    private long records;

    /**
     * An archive below {@code root}; {@code container} names each record's container (a record that is not
     * JSON goes to {@link #SIGN_IN_CONTAINER}); with {@code gzipEveryThird} every third blob opened is
     * gzip-compressed ({@code PT1H.json.gz}).
     */
    public AzureArchive(Path root, Function<JsonNode, String> container, boolean gzipEveryThird) {
        this.root = root;
        this.container = container;
        this.gzipEveryThird = gzipEveryThird;
        this.hour = GeneratorConfig.builder().build().start().toString().substring(0, 13);
    }

    /** The records of one Event Hubs message body (a line of the generator's output), each in its hour's blob. */
    public void writeMessage(byte[] message) throws IOException {
        JsonNode m;
        try {
            m = JSON.readTree(message);
        } catch (IOException malformed) {
            write(null, message);
            return;
        }
        List<JsonNode> rs = records(m);
        if (rs.isEmpty()) {
            write(null, message);
            return;
        }
        for (JsonNode r : rs) write(r, JSON.writeValueAsBytes(r));
    }

    /** One line that already is a bare record (or not JSON at all), in its hour's blob. */
    public void writeRecord(byte[] line) throws IOException {
        JsonNode r;
        try {
            r = JSON.readTree(line);
        } catch (IOException malformed) {
            r = null;
        }
        write(r, line);
    }

    private void write(JsonNode record, byte[] line) throws IOException {
        String folder = SIGN_IN_CONTAINER;
        if (record != null) {
            String time = record.path("time").asText("");
            if (HOUR.matcher(time).matches()) hour = time.substring(0, 13);
            folder = container.apply(record);
        }
        Path blob = root.resolve(folder).resolve(TENANT_PATH + "y=" + hour.substring(0, 4) + "/m=" + hour.substring(5, 7)
                + "/d=" + hour.substring(8, 10) + "/h=" + hour.substring(11, 13) + "/m=00/PT1H.json");
        OutputStream out = blobs.get(blob);
        if (out == null) {
            boolean gz = gzipEveryThird && blobs.size() % 3 == 1;
            Path file = gz ? blob.resolveSibling("PT1H.json.gz") : blob;
            Files.createDirectories(file.getParent());
            OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            out = gz ? new GZIPOutputStream(raw) : raw;
            blobs.put(blob, out);
        }
        out.write(line);
        out.write('\n');
        records++;
    }

    /** Blobs written so far. */
    public int blobs() {
        return blobs.size();
    }

    /** Lines written so far. */
    public long lines() {
        return records;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (OutputStream out : blobs.values()) {
            try {
                out.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    /**
     * The records of a message as Azure's blobs hold them, each a line of its own: the records of an envelope
     * ({@code {"records":[...]}}) or of a bare array, or the message itself when it is a single record. A
     * message that is not JSON, or has no records, stays as it is (dead-lettered in every replay alike).
     */
    public static List<byte[]> bareRecords(byte[] message) {
        try {
            List<JsonNode> rs = records(JSON.readTree(message));
            if (rs.isEmpty()) return List.of(message);
            List<byte[]> lines = new ArrayList<>(rs.size());
            for (JsonNode r : rs) lines.add(JSON.writeValueAsBytes(r));
            return lines;
        } catch (IOException malformed) {
            return List.of(message);
        }
    }

    private static List<JsonNode> records(JsonNode m) {
        if (m == null || m.isMissingNode()) return List.of();
        JsonNode array = m.isArray() ? m : m.has("records") && m.get("records").isArray() ? m.get("records") : null;
        if (array == null) return List.of(m);
        List<JsonNode> rs = new ArrayList<>(array.size());
        array.forEach(rs::add);
        return rs;
    }
}
