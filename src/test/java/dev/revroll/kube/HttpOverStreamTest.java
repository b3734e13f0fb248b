package dev.revroll.kube;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpOverStreamTest {

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void writesAPlainGetAndReadsAContentLengthBodyWithoutWaitingForTheEnd() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        // bytes after the body must not be read as part of it
        HttpOverStream.Response r = HttpOverStream.get(stream("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]garbage"),
                sent, "localhost:15014", "/debug/syncz");
        assertEquals("GET /debug/syncz HTTP/1.1\r\nHost: localhost:15014\r\nUser-Agent: revroll\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                sent.toString(StandardCharsets.US_ASCII));
        assertEquals(200, r.status());
        assertEquals("[]", r.text());
        assertEquals("application/json", r.headers().get("content-type"));
    }

    @Test
    void readsAChunkedBodyWithExtensionsAndTrailers() throws IOException {
        HttpOverStream.Response r = HttpOverStream.read(stream(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n"));
        assertEquals("hello, world", r.text());
    }

    @Test
    void readsToTheEndWithoutLengthAndTakesNoBodyFrom204() throws IOException {
        assertEquals("all of it", HttpOverStream.read(stream("HTTP/1.0 200 OK\r\n\r\nall of it")).text());
        assertEquals("", HttpOverStream.read(stream("HTTP/1.1 204 No Content\r\n\r\n")).text());
    }

    @Test
    void keepsTheStatusOfAnError() throws IOException {
        HttpOverStream.Response r = HttpOverStream.read(stream("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"));
        assertEquals(404, r.status());
        assertEquals("Not Found", r.reason());
    }

    @Test
    void aTruncatedOrForeignAnswerIsAnError() {
        assertThrows(EOFException.class, () -> HttpOverStream.read(stream("")));
        assertThrows(EOFException.class, () -> HttpOverStream.read(stream("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")));
        IOException e = assertThrows(IOException.class, () -> HttpOverStream.read(stream("SSH-2.0-OpenSSH\r\n")));
        assertTrue(e.getMessage().contains("not an HTTP response"));
        assertThrows(IOException.class, () -> HttpOverStream.read(stream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")));
    }
}
