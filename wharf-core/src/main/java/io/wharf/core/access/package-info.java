/** Who a client is (its {@link io.wharf.core.access.Principal}) and what it may do: the one decision point every door calls. */
package io.wharf.core.access;
