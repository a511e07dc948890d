package dev.bedrockjobs.local.emulators;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Loopback port helpers shared by the launchers. */
public final class LocalPorts {

    private LocalPorts() {}

    /** The loopback address every emulator binds to, so nothing is exposed beyond this machine. */
    public static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    /**
     * A port that was free a moment ago. Only for servers we cannot bind to port 0 themselves (a child process, or
     * ElasticMQ, whose queue URLs must carry the real port); another process may take it in between, which the
     * callers report as a start failure.
     */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, loopback())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        }
    }

    /** Whether something accepts TCP connections on the loopback port. */
    public static boolean answers(int port, Duration connectTimeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(loopback(), port), (int) connectTimeout.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
