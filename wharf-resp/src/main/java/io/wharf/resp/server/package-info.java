/** The RESP server: listener, pipeline, per-connection state, dispatch in request order, metrics. */
package io.wharf.resp.server;
