package io.authservice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The addresses that TCP sockets on this machine listen on, from Linux's {@code /proc/net/tcp} and {@code tcp6}. */
public final class ListeningSockets {
    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    /** Whether this machine lists its sockets where {@link #addressesOn(int)} reads them. */
    public static boolean available() {
        return Files.isReadable(Path.of("/proc/net/tcp"));
    }

    /** Every local address a socket listens on at {@code port} (IPv4 and IPv6; {@code 0.0.0.0} or {@code ::} for all). */
    public static List<InetAddress> addressesOn(int port) {
        final List<InetAddress> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            final Path file = Path.of(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            try {
                final List<String> lines = Files.readAllLines(file);
                for (String line : lines.subList(1, lines.size())) {
                    final String[] fields = line.trim().split("\\s+");
                    final String[] local = fields[1].split(":");
                    if (fields[3].equals(LISTEN) && Integer.parseInt(local[1], 16) == port) {
                        addresses.add(address(local[0]));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return addresses;
    }

    /** The kernel writes each 32-bit word of the address in host (little-endian) byte order. */
    private static InetAddress address(String hex) {
        final byte[] raw = HexFormat.of().parseHex(hex);
        final byte[] address = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                address[word + i] = raw[word + 3 - i];
            }
        }
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
