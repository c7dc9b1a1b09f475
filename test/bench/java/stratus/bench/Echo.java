package stratus.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machine's own loopback limits, with nothing of RocketMQ in the way: (1) request/response — `threads`
 * connections each sending a length-prefixed `bodyBytes` frame and waiting for it to come back (a thread
 * per connection on both ends, Nagle off); (2) one-way streaming bandwidth over a single connection.
 */
final class Echo {
    private static final int STREAM_CHUNK = 64 * 1024;

    private Echo() {
    }

    static Map<String, Object> run(int threads, int bodyBytes, double warmS, double measureS) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> acceptLoop(server), "echo-accept");
            acceptor.setDaemon(true);
            acceptor.start();
            Map<String, Object> rr = requestResponse(server.getLocalPort(), threads, bodyBytes, warmS, measureS);
            double streamMbPerSec = stream(server.getLocalPort(), measureS);
            rr.put("streamMbPerSec", streamMbPerSec);
            return rr;
        }
    }

    private static void acceptLoop(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread t = new Thread(() -> serve(s), "echo-serve");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Frames: 4-byte length then payload; length < 0 asks the server to only read (streaming). */
    private static void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), STREAM_CHUNK));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            byte[] buf = new byte[STREAM_CHUNK];
            while (true) {
                int len = in.readInt();
                if (len < 0) {
                    drain(s.getInputStream(), buf);
                    return;
                }
                in.readFully(buf, 0, len);
                out.writeInt(len);
                out.write(buf, 0, len);
                out.flush();
            }
        } catch (IOException e) {
            // client closed
        }
    }

    private static void drain(InputStream in, byte[] buf) throws IOException {
        while (in.read(buf) >= 0) {
            // discard
        }
    }

    private static Map<String, Object> requestResponse(int port, int threads, int bodyBytes, double warmS,
        double measureS) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        AtomicLong done = new AtomicLong();
        List<Samples> perThread = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Samples samples = new Samples();
            perThread.add(samples);
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setTcpNoDelay(true);
            Thread th = new Thread(() -> clientLoop(s, bodyBytes, stop, measuring, done, samples), "echo-client");
            clients.add(th);
            th.start();
        }
        Thread.sleep((long) (warmS * 1000));
        long start;
        long end;
        try (Progress p = new Progress("echo", done, measureS, 0)) {
            measuring.set(true);
            start = System.nanoTime();
            Thread.sleep((long) (measureS * 1000));
            measuring.set(false);
            end = System.nanoTime();
        }
        stop.set(true);
        for (Thread th : clients) {
            th.join();
        }
        double seconds = (end - start) / 1e9;
        return Out.obj(
            "roundTripsPerSec", done.get() / seconds,
            "roundTrips", done.get(),
            "latency", Samples.merge(perThread).percentilesMs());
    }

    private static void clientLoop(Socket s, int bodyBytes, AtomicBoolean stop, AtomicBoolean measuring,
        AtomicLong done, Samples samples) {
        byte[] body = new byte[bodyBytes];
        try (s) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            while (!stop.get()) {
                long t0 = System.nanoTime();
                out.writeInt(bodyBytes);
                out.write(body);
                out.flush();
                int len = in.readInt();
                in.readFully(body, 0, len);
                if (measuring.get()) {
                    done.incrementAndGet();
                    samples.add(System.nanoTime() - t0);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("echo client failed", e);
        }
    }

    private static double stream(int port, double seconds) throws IOException {
        byte[] chunk = new byte[STREAM_CHUNK];
        long bytes = 0;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(-1);
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now = start;
            while (now < end) {
                out.write(chunk);
                bytes += chunk.length;
                now = System.nanoTime();
            }
            return bytes / ((now - start) / 1e9) / (1024 * 1024);
        }
    }
}
