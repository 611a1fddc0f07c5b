package io.wharf.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.wharf.core.config.ConfigException;
import io.wharf.testkit.LogCapture;
import io.wharf.testkit.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ServerTls} behind a real socket, with both providers: a line server that answers each
 * line with the client certificate's subject ({@link TlsPeer}), and the JDK's TLS client.
 */
class ServerTlsTest {
    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestCertificates ca = TestCertificates.authority("test-ca");
    private EventLoopGroup loops;
    private Channel server;
    private ServerTls tls;
    private Path cert;
    private Path key;

    @BeforeEach
    void files() {
        TestCertificates.Issued issued = ca.server("first");
        cert = issued.writeCertPem(dir.resolve("cert.pem"));
        key = issued.writeKeyPem(dir.resolve("key.pem"));
        ca.writePem(dir.resolve("ca.pem"));
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (tls != null) {
            tls.close();
        }
        loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers every line with {@code subject=<the client certificate's subject or null>}. */
    @ChannelHandler.Sharable
    static final class SubjectEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            boolean line = in.toString(StandardCharsets.UTF_8).contains("\n");
            ReferenceCountUtil.release(msg);
            if (line) {
                ctx.writeAndFlush(Unpooled.copiedBuffer("subject=" + TlsPeer.subject(ctx.channel()) + "\n",
                        StandardCharsets.UTF_8));
            }
        }
    }

    private int start(TlsSettings settings, SslProvider provider) {
        tls = ServerTls.start("test", "test.tls", settings, registry, provider);
        server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(tls.initializer(new SubjectEcho()))
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private static SSLSocket connect(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private static String ask(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("who\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private double failures() {
        return registry.get("wharf.tls.handshake.failures").tag("door", "test").counter().count();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void servesTls13ByDefaultAndRefusesTls11(SslProvider provider) throws IOException {
        int port = start(TlsSettings.pem(cert, key), provider);
        try (SSLSocket socket = connect(ca.clientContext(), port)) {
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName())
                    .isEqualTo("CN=first,O=Wharf tests");
            assertThat(ask(socket)).isEqualTo("subject=null");
        }
        SSLContext old = ca.clientContext("TLSv1.1");
        assertThatThrownBy(() -> {
            try (SSLSocket socket = (SSLSocket) old.getSocketFactory().createSocket("127.0.0.1", port)) {
                socket.setEnabledProtocols(new String[] {"TLSv1.1"});
                socket.setSoTimeout(10_000);
                socket.startHandshake();
            }
        }).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> failures() >= 1);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void requiredClientCertificatesRefuseAClientWithoutOneAndNameTheSubject(SslProvider provider) throws IOException {
        int port = start(TlsSettings.pem(cert, key).withClientAuth(TlsSettings.ClientAuth.REQUIRED, dir.resolve("ca.pem")),
                provider);
        // under TLS 1.3 the client learns of the refusal on its first read
        assertThatThrownBy(() -> {
            try (SSLSocket socket = connect(ca.clientContext(), port)) {
                ask(socket);
            }
        }).isInstanceOf(IOException.class);
        TestCertificates.Issued device = ca.client("CN=device-7,O=Acme");
        try (SSLSocket socket = connect(ca.clientContext(device), port)) {
            assertThat(ask(socket)).isEqualTo("subject=CN=device-7,O=Acme");
        }
        // a certificate from a CA the bundle does not hold is refused too
        TestCertificates stranger = TestCertificates.authority("other-ca");
        SSLContext strangerClient = stranger.clientContext(stranger.client("CN=intruder"));
        assertThatThrownBy(() -> {
            try (SSLSocket socket = (SSLSocket) strangerClient.getSocketFactory().createSocket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                ask(socket);
            }
        }).isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void optionalClientCertificatesLetBothIn(SslProvider provider) throws IOException {
        int port = start(TlsSettings.pem(cert, key).withClientAuth(TlsSettings.ClientAuth.OPTIONAL, dir.resolve("ca.pem")),
                provider);
        try (SSLSocket socket = connect(ca.clientContext(), port)) {
            assertThat(ask(socket)).isEqualTo("subject=null");
        }
        try (SSLSocket socket = connect(ca.clientContext(ca.client("CN=device-8,O=Acme")), port)) {
            assertThat(ask(socket)).isEqualTo("subject=CN=device-8,O=Acme");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void aChangedCertificateServesNewConnectionsWhileOpenOnesKeepTheirs(SslProvider provider) throws IOException {
        int port = start(TlsSettings.pem(cert, key).withTimings(Duration.ZERO, Duration.ofSeconds(10)), provider);
        SSLSocket open = connect(ca.clientContext(), port);
        BigInteger firstSerial = ((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber();
        assertThat(tls.reloadIfChanged()).as("nothing changed").isFalse();

        TestCertificates.Issued second = ca.server("second");
        second.writeCertPem(cert);
        try (LogCapture log = new LogCapture()) {
            // the new certificate beside the old key: a half-replaced pair is refused, the old context kept
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(log.text()).contains("event=tls-reload-failed door=test",
                    "test.tls.key: the private key does not belong to the certificate");
        }
        second.writeKeyPem(key);
        assertThat(tls.reloadIfChanged()).isTrue();
        try (SSLSocket fresh = connect(ca.clientContext(), port)) {
            X509Certificate served = (X509Certificate) fresh.getSession().getPeerCertificates()[0];
            assertThat(served.getSerialNumber()).isEqualTo(second.certificate().getSerialNumber()).isNotEqualTo(firstSerial);
            assertThat(served.getSubjectX500Principal().getName()).isEqualTo("CN=second,O=Wharf tests");
        }
        assertThat(ask(open)).as("the open connection keeps working").isEqualTo("subject=null");
        open.close();

        Files.writeString(cert, "not a certificate");
        try (LogCapture log = new LogCapture()) {
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(log.text()).contains("event=tls-reload-failed door=test", "test.tls.cert");
        }
        try (SSLSocket fresh = connect(ca.clientContext(), port)) {
            assertThat(((X509Certificate) fresh.getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(second.certificate().getSerialNumber());
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void aSilentPeerIsClosedAfterTheHandshakeTimeout(SslProvider provider) throws IOException {
        int port = start(TlsSettings.pem(cert, key).withTimings(Duration.ZERO, Duration.ofMillis(300)), provider);
        try (Socket silent = new Socket("127.0.0.1", port)) {
            silent.setSoTimeout(10_000);
            assertThat(silent.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> failures() >= 1);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void readsAPkcs12KeystoreAndAnEncryptedPemKey(SslProvider provider) throws IOException {
        TestCertificates.Issued issued = ca.server("from-p12");
        Path p12 = issued.writePkcs12(dir.resolve("server.p12"), "s3cret");
        int port = start(TlsSettings.pkcs12(p12, "s3cret"), provider);
        try (SSLSocket socket = connect(ca.clientContext(), port)) {
            assertThat(((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(issued.certificate().getSerialNumber());
        }
        stop();
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = null;
        Path encrypted = issued.writeKeyPem(dir.resolve("encrypted.pem"), "pem-pass");
        Path chain = issued.writeCertPem(dir.resolve("p12-chain.pem"));
        port = start(TlsSettings.pem(chain, encrypted).withKeyPassword("pem-pass"), provider);
        try (SSLSocket socket = connect(ca.clientContext(), port)) {
            assertThat(ask(socket)).isEqualTo("subject=null");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void unusableFilesAndSettingsFailTheStartNamingTheKey(SslProvider provider) throws IOException {
        Path other = ca.server("other").writeKeyPem(dir.resolve("other-key.pem"));
        assertThatThrownBy(() -> ServerTls.start("test", "test.tls", TlsSettings.pem(cert, other), registry, provider))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.tls.key: the private key does not belong to the certificate");
        assertThatThrownBy(() -> ServerTls.start("test", "test.tls",
                TlsSettings.pem(cert, key).withProtocols(List.of("TLSv1.1"), List.of()), registry, provider))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.tls.protocols: TLSv1.1 is older than TLSv1.2");
        assertThatThrownBy(() -> ServerTls.start("test", "test.tls",
                TlsSettings.pkcs12(cert, "x"), registry, provider))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.tls.keystore: cannot read PKCS#12");
        Path traditional = ca.server("old-style").writeTraditionalKeyPem(dir.resolve("traditional.pem"));
        assertThatThrownBy(() -> ServerTls.start("test", "test.tls", TlsSettings.pem(cert, traditional), registry, provider))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.tls.key: cannot read a PKCS#8 PEM private key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }
}
