/** Benchmark scenarios run from the command line: each prints a baseline and Wharf's figure from the same run. */
package io.wharf.bench;
