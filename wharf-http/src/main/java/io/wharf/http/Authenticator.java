package io.wharf.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.wharf.core.auth.AuthOutcome;
import io.wharf.core.access.AccessPolicy;
import io.wharf.core.access.Principal;
import io.wharf.core.auth.Credentials;
import io.wharf.core.tls.TlsPeer;
import io.wharf.core.logging.LogValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a request through only with valid credentials when any are configured: {@code Authorization:
 * Bearer <token>}, {@code Authorization: Basic base64(user:password)}, kafka-proxy's raw
 * {@code Authorization: basic <secret>} on its path {@code /}, or {@code ?access_token=<token>} (for
 * browsers' EventSource and WebSocket, which cannot set headers). {@code /healthz} and
 * {@code /readyz} stay open. Otherwise 401 with a JSON body; what was presented is never logged. A
 * client address over its budget of failed attempts ({@code auth.max-failures}) gets 429 with
 * {@code Retry-After} without its credentials being checked; this covers the WebSocket and
 * kafka-proxy upgrades too, which pass here first.
 */
@ChannelHandler.Sharable
final class Authenticator extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    private static final List<String> OPEN_PATHS = List.of("/healthz", "/readyz");

    private final Credentials credentials;
    private final AccessPolicy access;
    private final HttpMetrics metrics;

    Authenticator(Credentials credentials, AccessPolicy access, HttpMetrics metrics) {
        this.credentials = credentials;
        this.access = access;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!credentials.required()) {
            pass(ctx, request, Principal.anonymous());
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        if (OPEN_PATHS.contains(path)) {
            pass(ctx, request, Principal.anonymous());
            return;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        List<String> queryTokens = uri.parameters().get("access_token");
        String queryToken = queryTokens == null || queryTokens.isEmpty() ? null : queryTokens.get(0);
        if (!presentsCredentials(header, queryToken)) {
            String subject = TlsPeer.subject(ctx.channel());
            Principal certificate = subject == null ? null : Credentials.certificatePrincipal(subject);
            if (certificate != null) {
                // a client certificate the TLS listener verified is the credential
                pass(ctx, request, certificate);
                return;
            }
            if (access.admitsAnonymous()) {
                // access.anonymous: a client without credentials is the principal anonymous, and the rules decide
                pass(ctx, request, Principal.anonymous());
                return;
            }
            String why = header == null || header.isBlank()
                    ? "credentials required: send Authorization: Bearer <token> or Basic <base64 user:password>"
                    : "unsupported Authorization scheme; use Bearer or Basic";
            answer(ctx, request, new AuthOutcome.Rejected(why), path);
            return;
        }
        // only a presented credential can be a guess: it counts against the address's budget
        String host = Credentials.hostOf(ctx.channel().remoteAddress());
        AuthOutcome outcome = attempt(header, queryToken, path, host);
        if (outcome instanceof AuthOutcome.Pending pending) {
            // a JWT whose key set is being fetched: read nothing more until it is known, then go on here
            ctx.channel().config().setAutoRead(false);
            pending.outcome().whenComplete((done, error) -> ctx.executor().execute(() -> {
                ctx.channel().config().setAutoRead(true);
                if (!ctx.channel().isActive()) {
                    request.release();
                    return;
                }
                answer(ctx, request, error != null ? new AuthOutcome.Rejected("the token could not be verified")
                        : done, path);
            }));
            return;
        }
        answer(ctx, request, outcome, path);
    }

    private AuthOutcome attempt(String header, String queryToken, String path, String host) {
        if (header == null || header.isBlank()) {
            AuthOutcome outcome = credentials.attemptBearer("http", host, queryToken);
            return withReason(outcome, "the access_token is not valid");
        }
        String value = header.trim();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        String presented = space < 0 ? "" : value.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("bearer")) {
            return withReason(credentials.attemptBearer("http", host, presented), "the bearer token is not valid");
        }
        return withReason(credentials.attempt("http", host, () -> basicPrincipal(presented, path)),
                "the basic credentials are not valid");
    }

    /** A rejection without a reason of its own gets the door's sentence for the credential's kind. */
    private static AuthOutcome withReason(AuthOutcome outcome, String reason) {
        if (outcome instanceof AuthOutcome.Rejected rejected && rejected.reason() == null) {
            return new AuthOutcome.Rejected(reason);
        }
        if (outcome instanceof AuthOutcome.Pending pending) {
            return new AuthOutcome.Pending(pending.outcome().thenApply(done -> withReason(done, reason)));
        }
        return outcome;
    }

    private void answer(ChannelHandlerContext ctx, FullHttpRequest request, AuthOutcome outcome, String path) {
        if (outcome instanceof AuthOutcome.Accepted accepted) {
            pass(ctx, request, accepted.principal());
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        request.release();
        metrics.authFailure();
        FullHttpResponse response;
        if (outcome instanceof AuthOutcome.Refused refused) {
            // refused at once, never delayed on the event loop; the client is told when to come back
            response = HttpReplies.error(HttpResponseStatus.TOO_MANY_REQUESTS, "too_many_auth_failures",
                    credentials.refusalMessage(refused));
            response.headers().set(HttpHeaderNames.RETRY_AFTER, refused.retryAfterSeconds());
        } else {
            String reason = outcome instanceof AuthOutcome.Rejected rejected && rejected.reason() != null
                    ? rejected.reason() : "the credentials are not valid";
            LOG.warn("event=auth-failed remote={} path={} reason=\"{}\"", ctx.channel().remoteAddress(), LogValue.of(path),
                    reason);
            response = HttpReplies.error(HttpResponseStatus.UNAUTHORIZED, "unauthorized", reason);
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"wharf\", Bearer realm=\"wharf\"");
        }
        HttpReplies.respond(ctx, keepAlive, response);
    }

    /** Passes the request on with its principal, which {@link HttpExchange} takes with it. */
    private static void pass(ChannelHandlerContext ctx, FullHttpRequest request, Principal principal) {
        ctx.channel().attr(HttpAccess.PRINCIPAL).set(principal);
        ctx.fireChannelRead(request);
    }

    /** Whether the request carries a credential to check: a Bearer or Basic header, or an access_token. */
    private static boolean presentsCredentials(String header, String queryToken) {
        if (header == null || header.isBlank()) {
            return queryToken != null;
        }
        String value = header.trim();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        return scheme.equalsIgnoreCase("bearer") || scheme.equalsIgnoreCase("basic");
    }

    /** The principal of Basic credentials, or of kafka-proxy's raw shared secret on {@code /}; null when not valid. */
    private Principal basicPrincipal(String presented, String path) {
        String userPass = decodeBase64(presented);
        if (userPass != null) {
            int colon = userPass.indexOf(':');
            if (colon >= 0) {
                Principal p = credentials.passwordPrincipal(userPass.substring(0, colon), userPass.substring(colon + 1));
                if (p != null) {
                    return p;
                }
            }
        }
        // kafka-proxy sends the raw shared secret after "basic", not base64(user:password)
        return path.equals("/") ? credentials.secretPrincipal(presented) : null;
    }

    private static String decodeBase64(String text) {
        try {
            return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
