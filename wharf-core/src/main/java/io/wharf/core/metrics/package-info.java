/** The metrics registry behind {@code /metrics}, shared by every front door. */
package io.wharf.core.metrics;
