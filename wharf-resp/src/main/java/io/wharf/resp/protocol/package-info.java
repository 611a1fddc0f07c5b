/** The Redis serialization protocol (RESP2 and RESP3): values, decoder, encoder and inline commands. */
package io.wharf.resp.protocol;
