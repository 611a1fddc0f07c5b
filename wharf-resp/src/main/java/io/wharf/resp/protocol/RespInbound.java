package io.wharf.resp.protocol;

/** What the decoder hands on: a command, or the reason the byte stream cannot be read any further. */
sealed interface RespInbound permits RespRequest, ProtocolViolation {
}
