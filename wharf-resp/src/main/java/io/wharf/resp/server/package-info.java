/** The door at run time: the pipeline, each connection's state, dispatch in request order, and the services commands see. */
package io.wharf.resp.server;
