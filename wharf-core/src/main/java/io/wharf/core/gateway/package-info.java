/** The running gateway: starts Kafka access, the hub and every front door found on the class path, and stops them in order. */
package io.wharf.core.gateway;
