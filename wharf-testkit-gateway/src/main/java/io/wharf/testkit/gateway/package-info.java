/** {@link io.wharf.testkit.gateway.TestGateway}: a real gateway for the tests of core and of every front door. */
package io.wharf.testkit.gateway;
