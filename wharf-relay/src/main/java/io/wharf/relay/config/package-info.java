/** The relay's section of the configuration file ({@code relay}): webhook routes, retry policies and pollers. */
package io.wharf.relay.config;
