package io.authservice.audit.seal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The lines of a stream as bytes, without a {@code String} each: a big export is hashed line by line
 * as it stands, so decoding it to text and encoding it back would be work thrown away. Splits at
 * {@code \n}, drops a {@code \r} before it, and skips lines that are only spaces and tabs.
 */
final class ByteLines {
    private ByteLines() {
    }

    /** Told each line: its number (from 1) and where it lies in {@code bytes}, valid only during the call. */
    @FunctionalInterface
    interface Handler {
        void line(int number, byte[] bytes, int offset, int length) throws IOException;
    }

    static void forEach(InputStream in, Handler handler) throws IOException {
        byte[] buffer = new byte[1 << 16];
        int start = 0;
        int end = 0;
        int scanned = 0;
        int number = 0;
        while (true) {
            while (scanned < end && buffer[scanned] != '\n') {
                scanned++;
            }
            if (scanned < end) {
                number++;
                line(handler, number, buffer, start, scanned);
                start = ++scanned;
                continue;
            }
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                scanned -= start;
                start = 0;
            }
            if (end == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            final int read = in.read(buffer, end, buffer.length - end);
            if (read < 0) {
                if (end > start) {
                    line(handler, number + 1, buffer, start, end);
                }
                return;
            }
            end += read;
        }
    }

    private static void line(Handler handler, int number, byte[] buffer, int from, int to) throws IOException {
        if (to > from && buffer[to - 1] == '\r') {
            to--;
        }
        for (int i = from; i < to; i++) {
            if (buffer[i] != ' ' && buffer[i] != '\t') {
                handler.line(number, buffer, from, to - from);
                return;
            }
        }
    }
}
