package io.entrawatch.ingest;

import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.SignIn;

import java.util.ArrayList;
import java.util.List;

/**
 * One Event Hubs message after parsing: its valid sign-ins in message order, what was malformed, and
 * how many records of other categories were skipped. It stays inside the source task (the parse runs
 * in the Kafka deserializer, the lateness gate is chained to it), so it is never shipped between tasks.
 */
public class ParsedMessage {
    public String topic;
    public int partition = -1;
    public long offset = -1;
    public long sizeBytes;
    /** Records in the message (valid, malformed and skipped). */
    public int records;
    public int skipped;
    public List<SignIn> signIns = new ArrayList<>();
    public List<DeadLetter> deadLetters = new ArrayList<>();
    /** Largest sign-in timestamp of the message, Long.MIN_VALUE when none: the source's event time. */
    public long maxTimestamp = Long.MIN_VALUE;
    /** The message body and, per sign-in, where its record starts and ends in it (for late dead letters). */
    public transient byte[] body;
    public transient int[] recordStarts = new int[8];
    public transient int[] recordEnds = new int[8];
    public transient int[] recordIndexes = new int[8];

    void addSignIn(SignIn s, int start, int end, int index) {
        int i = signIns.size();
        if (i == recordStarts.length) {
            recordStarts = java.util.Arrays.copyOf(recordStarts, i * 2);
            recordEnds = java.util.Arrays.copyOf(recordEnds, i * 2);
            recordIndexes = java.util.Arrays.copyOf(recordIndexes, i * 2);
        }
        recordStarts[i] = start;
        recordEnds[i] = end;
        recordIndexes[i] = index;
        signIns.add(s);
        if (s.timestamp > maxTimestamp) maxTimestamp = s.timestamp;
    }

    public ParsedMessage() {}
}
