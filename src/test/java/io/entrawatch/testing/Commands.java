package io.entrawatch.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short external commands of the tests and tools (keytool, taskset). */
public final class Commands {
    private Commands() {}

    /**
     * Runs {@code command} and returns what it printed (standard output and error together); an IOException naming
     * the command and giving its output when it cannot start, runs over a minute, or exits with anything but 0.
     */
    public static String output(List<String> command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(String.join(" ", command) + ": " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 60 s: " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + out.trim());
        return out;
    }
}
