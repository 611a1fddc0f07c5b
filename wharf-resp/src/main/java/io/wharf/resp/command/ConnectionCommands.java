package io.wharf.resp.command;

import static io.wharf.resp.command.RespCommand.now;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import io.wharf.core.auth.AuthOutcome;
import io.wharf.core.auth.Credentials;
import io.wharf.resp.protocol.CommandError;
import io.wharf.resp.protocol.RespRequest;
import io.wharf.resp.protocol.RespValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands about the connection itself: {@code PING}, {@code ECHO}, {@code QUIT}, {@code HELLO},
 * {@code AUTH}, {@code SELECT} and {@code CLIENT} (Rafka's {@code SETNAME}/{@code GETNAME}, and
 * what Redis clients send on connect).
 */
final class ConnectionCommands {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionCommands.class);
    /** The Redis version announced to clients: they pick features by it, and Wharf answers what 7.2 clients send. */
    static final String REDIS_VERSION = "7.2.0";

    private final Credentials credentials;
    private final ClientNames names;

    ConnectionCommands(Credentials credentials, ClientNames names) {
        this.credentials = credentials;
        this.names = names;
    }

    /** Adds these commands to the table. */
    void register(CommandTable table) {
        table.add("PING", -1, List.of("fast"), "connection", "Returns PONG, or the argument", ConnectionCommands::ping);
        table.add("ECHO", 2, List.of("fast"), "connection", "Returns the given string", (c, r) -> now(new RespValue.Bulk(r.arg(1))));
        table.addBeforeAuth("QUIT", -1, List.of("fast"), "connection", "Closes the connection", (c, r) -> now(RespValue.OK));
        table.addBeforeAuth("HELLO", -1, List.of("fast"), "connection",
                "Handshakes: chooses RESP2 or RESP3, optionally authenticates and names the client", this::hello);
        table.addBeforeAuth("AUTH", -2, List.of("fast"), "connection", "Authenticates the connection", this::auth);
        table.add("SELECT", 2, List.of("fast"), "connection", "Selects database 0, the only one", ConnectionCommands::select);
        table.add("CLIENT", -2, List.of(), "connection",
                "SETNAME <group>:<name> identifies a consumer; GETNAME, SETINFO, ID, INFO", this::client);
    }

    private static CompletableFuture<RespValue> ping(Connection c, RespRequest r) {
        if (r.size() > 2) {
            throw CommandError.err("wrong number of arguments for 'ping' command");
        }
        return now(r.size() == 2 ? new RespValue.Bulk(r.arg(1)) : RespValue.PONG);
    }

    private static CompletableFuture<RespValue> select(Connection c, RespRequest r) {
        long db;
        try {
            db = Long.parseLong(r.text(1));
        } catch (NumberFormatException e) {
            throw CommandError.err("value is not an integer or out of range");
        }
        if (db != 0) {
            throw CommandError.err("DB index is out of range");
        }
        return now(RespValue.OK);
    }

    private CompletableFuture<RespValue> hello(Connection c, RespRequest r) {
        int protocol = c.protocol();
        String user = null;
        String password = null;
        String name = null;
        if (r.size() > 1) {
            try {
                protocol = Integer.parseInt(r.text(1));
            } catch (NumberFormatException e) {
                throw CommandError.err("Protocol version is not an integer or out of range");
            }
            if (protocol != 2 && protocol != 3) {
                throw CommandError.of("NOPROTO unsupported protocol version");
            }
            for (int i = 2; i < r.size(); i++) {
                String option = r.keyword(i);
                if (option.equals("AUTH") && i + 2 < r.size()) {
                    user = r.text(i + 1);
                    password = r.text(i + 2);
                    i += 2;
                } else if (option.equals("SETNAME") && i + 1 < r.size()) {
                    name = r.text(i + 1);
                    i += 1;
                } else {
                    throw CommandError.err("Syntax error in HELLO option '" + r.text(i) + "'");
                }
            }
        }
        if (password == null && !c.authenticated()) {
            throw CommandError.of("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
                    + "RESP protocol version at the same time");
        }
        int chosen = protocol;
        String newName = name;
        CompletableFuture<Void> authenticated = password == null ? CompletableFuture.completedFuture(null)
                : authenticate(c, user, password);
        return authenticated.thenApply(v -> helloReply(c, chosen, newName));
    }

    private RespValue helloReply(Connection c, int protocol, String name) {
        if (name != null) {
            identify(c, name);
        }
        c.protocol(protocol);
        RespValue info = RespValue.Map.of(
                "server", "redis",
                "version", REDIS_VERSION,
                "proto", protocol,
                "id", c.id(),
                "mode", "standalone",
                "role", "master",
                "modules", new RespValue.Array(List.of()));
        return new RespValue.SwitchProtocol(protocol, info);
    }

    private CompletableFuture<RespValue> auth(Connection c, RespRequest r) {
        if (r.size() > 3) {
            throw CommandError.err("syntax error");
        }
        if (r.size() == 2) {
            if (!credentials.required()) {
                throw CommandError.err("AUTH <password> called without any password configured for the default user. "
                        + "Are you sure your configuration is correct?");
            }
            return authenticate(c, null, r.text(1)).thenApply(v -> RespValue.OK);
        }
        return authenticate(c, r.text(1), r.text(2)).thenApply(v -> RespValue.OK);
    }

    /**
     * Checks a user and password against the address's failure budget; on success the connection
     * takes the principal's grants and limits (its connection limit may still refuse it). Never logs the password, nor a user name that is not configured
     * (it may be a password sent in the user's place).
     */
    private CompletableFuture<Void> authenticate(Connection c, String user, String password) {
        if (!credentials.required()) {
            if (user != null && !user.equals(Credentials.DEFAULT_USER)) {
                throw wrongPass();
            }
            // without credentials every client is the anonymous principal already
            return CompletableFuture.completedFuture(null);
        }
        // a user's password, or a JWT as the password (Redis clients pass a token unchanged)
        AuthOutcome outcome = credentials.attemptPassword("resp", c.host(), user, password);
        if (outcome instanceof AuthOutcome.Pending pending) {
            // the token's key set is being fetched; the connection's state changes on its own event loop
            CompletableFuture<Void> done = new CompletableFuture<>();
            pending.outcome().whenComplete((o, error) -> c.eventLoop().execute(() -> {
                try {
                    if (error != null) {
                        throw wrongPass();
                    }
                    settle(c, user, o);
                    done.complete(null);
                } catch (CommandError e) {
                    done.completeExceptionally(e);
                }
            }));
            return done;
        }
        settle(c, user, outcome);
        return CompletableFuture.completedFuture(null);
    }

    private void settle(Connection c, String user, AuthOutcome outcome) {
        if (outcome instanceof AuthOutcome.Refused refused) {
            throw CommandError.err(credentials.refusalMessage(refused));
        }
        if (outcome instanceof AuthOutcome.Rejected rejected) {
            LOG.warn("event=resp-auth-failed client={} user={}{}", c.address(), credentials.loggedUser(user),
                    rejected.reason() == null ? "" : " reason=\"" + rejected.reason() + "\"");
            throw wrongPass();
        }
        // the connection keeps what it had (unauthenticated, or its previous principal) when the limit refuses
        String limited = c.authenticate(((AuthOutcome.Accepted) outcome).principal());
        if (limited != null) {
            throw CommandError.err(limited);
        }
    }

    private static CommandError wrongPass() {
        return CommandError.of("WRONGPASS invalid username-password pair or user is disabled.");
    }

    private CompletableFuture<RespValue> client(Connection c, RespRequest r) {
        String sub = r.keyword(1);
        switch (sub) {
            case "SETNAME" -> {
                exactly(r, 3, "client|setname");
                identify(c, r.text(2));
                return now(RespValue.OK);
            }
            case "GETNAME" -> {
                exactly(r, 2, "client|getname");
                return now(c.clientName() == null ? RespValue.NULL : RespValue.Bulk.of(c.clientName()));
            }
            case "SETINFO" -> {
                exactly(r, 4, "client|setinfo");
                String attr = r.keyword(2);
                String value = r.text(3);
                if (value.chars().anyMatch(ch -> ch < '!' || ch > '~')) {
                    throw CommandError.err(attr.toLowerCase(Locale.ROOT)
                            + " cannot contain spaces, newlines or special characters.");
                }
                if (attr.equals("LIB-NAME")) {
                    c.libName(value);
                } else if (attr.equals("LIB-VER")) {
                    c.libVersion(value);
                } else {
                    throw CommandError.err("Unrecognized option '" + r.text(2) + "'");
                }
                return now(RespValue.OK);
            }
            case "ID" -> {
                exactly(r, 2, "client|id");
                return now(new RespValue.Int(c.id()));
            }
            case "INFO" -> {
                exactly(r, 2, "client|info");
                return now(RespValue.Bulk.of(c.describe() + "\n"));
            }
            default -> throw CommandError.err("unknown subcommand '" + r.text(1) + "'. Try CLIENT HELP.");
        }
    }

    private static void exactly(RespRequest r, int size, String name) {
        if (r.size() != size) {
            throw CommandError.err("wrong number of arguments for '" + name + "' command");
        }
    }

    /**
     * Sets the client id {@code <group>:<name>} (Rafka's rules): once per connection, with a group,
     * and not held by another live connection.
     */
    private void identify(Connection c, String name) {
        if (c.clientName() != null) {
            throw CommandError.cons("Client ID is already set to " + c.clientName());
        }
        if (name.chars().anyMatch(ch -> ch < '!' || ch > '~')) {
            throw CommandError.err("Client names cannot contain spaces, newlines or special characters.");
        }
        int colon = name.indexOf(':');
        if (colon <= 0 || colon == name.length() - 1) {
            throw CommandError.cons("Cannot parse group.id from '" + name + "' (expected <group>:<name>)");
        }
        if (!names.claim(name, c.id())) {
            throw CommandError.cons("id " + name + " is already taken");
        }
        c.identify(name, name.substring(0, colon));
    }
}
