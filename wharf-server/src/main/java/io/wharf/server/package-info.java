/** The {@code wharf} command: options, configuration file, the embedded broker when no cluster is given, and the ready line. */
package io.wharf.server;
