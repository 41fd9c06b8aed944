package io.entrawatch.preflight;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reading client exceptions: their cause chains, and their messages shortened to one line. */
final class Causes {
    private static final int MAX_DETAIL = 240;

    private Causes() {}

    /** {@code e} and its causes, outermost first (a cycle ends the list). */
    static List<Throwable> chain(Throwable e) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable t = e; t != null && !out.contains(t); t = t.getCause()) out.add(t);
        return out;
    }

    /** The first throwable of the chain that is a {@code type}, or null. */
    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t : chain(e)) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }

    /** Whether a class name or message in the chain contains one of {@code words} (case-insensitive). */
    static boolean mentions(Throwable e, String... words) {
        for (Throwable t : chain(e)) {
            String text = (t.getClass().getName() + " " + t.getMessage()).toLowerCase(Locale.ROOT);
            for (String w : words) {
                if (text.contains(w.toLowerCase(Locale.ROOT))) return true;
            }
        }
        return false;
    }

    /** The innermost cause's class and message, on one line, shortened: the detail behind a problem. */
    static String rootDetail(Throwable e) {
        List<Throwable> c = chain(e);
        Throwable root = c.get(c.size() - 1);
        String message = root.getMessage();
        return oneLine(root.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }

    /** {@code text} on one line (whitespace runs collapsed), at most {@value #MAX_DETAIL} characters. */
    static String oneLine(String text) {
        String t = text.replaceAll("\\s+", " ").strip();
        return t.length() <= MAX_DETAIL ? t : t.substring(0, MAX_DETAIL) + "...";
    }
}
