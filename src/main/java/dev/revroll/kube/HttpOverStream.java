package dev.revroll.kube;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One plain HTTP/1.1 GET spoken over a byte stream pair (a port-forward's data channel): writes the request, reads the
 * status line, the headers and the body by {@code Content-Length}, {@code chunked} transfer coding, or up to the end
 * of the stream. Does not close anything: the caller owns the streams.
 */
final class HttpOverStream {

    /** Refuse bodies larger than this (a debug endpoint of a huge mesh is a few MB). */
    static final int MAX_BODY = 64 * 1024 * 1024;

    record Response(int status, String reason, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private HttpOverStream() {
    }

    static Response get(InputStream in, OutputStream out, String host, String path) throws IOException {
        String request = "GET " + (path.startsWith("/") ? path : "/" + path) + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "User-Agent: revroll\r\n"
                + "Accept: */*\r\n"
                + "Connection: close\r\n"
                + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read(in);
    }

    static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new EOFException("the connection closed before any HTTP response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + abbreviate(statusLine));
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status line: " + abbreviate(statusLine));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.merge(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
            }
        }
        byte[] body;
        String te = headers.getOrDefault("transfer-encoding", "");
        if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
            body = new byte[0];
        } else if (te.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = chunked(in);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + headers.get("content-length"));
            }
            if (length > MAX_BODY) {
                throw new IOException("response body of " + length + " bytes is larger than " + MAX_BODY);
            }
            body = exactly(in, (int) length);
        } else {
            body = toEnd(in);
        }
        return new Response(status, parts.length > 2 ? parts[2] : "", headers, body);
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            if (sizeLine == null) {
                throw new EOFException("the connection closed inside a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + abbreviate(sizeLine));
            }
            if (size == 0) {
                for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                    // trailers are not used
                }
                return body.toByteArray();
            }
            if (body.size() + (long) size > MAX_BODY) {
                throw new IOException("chunked response body is larger than " + MAX_BODY + " bytes");
            }
            body.write(exactly(in, size));
            String end = line(in);
            if (end == null || !end.isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private static byte[] exactly(InputStream in, int length) throws IOException {
        byte[] data = new byte[length];
        int off = 0;
        while (off < length) {
            int n = in.read(data, off, length - off);
            if (n < 0) {
                throw new EOFException("the connection closed after " + off + " of " + length + " body bytes");
            }
            off += n;
        }
        return data;
    }

    /** Reads until the stream ends; a pipe that reports its writer gone counts as the end. */
    private static byte[] toEnd(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                body.write(buffer, 0, n);
                if (body.size() > MAX_BODY) {
                    throw new IOException("response body is larger than " + MAX_BODY + " bytes");
                }
            }
        } catch (IOException e) {
            if (!isPipeEnd(e)) {
                throw e;
            }
        }
        return body.toByteArray();
    }

    static boolean isPipeEnd(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        return m.contains("Write end dead") || m.contains("Pipe broken") || m.contains("Pipe closed");
    }

    /** A line ending in CRLF (or LF), without it; null at the end of the stream before any byte. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                byte[] bytes = buf.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            if (buf.size() > 64 * 1024) {
                throw new IOException("HTTP header line longer than 64 KiB");
            }
            buf.write(b);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
