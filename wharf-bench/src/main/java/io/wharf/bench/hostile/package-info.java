/** The hostile-client run: attacks on every door while a well-behaved client measures its latency. */
package io.wharf.bench.hostile;
