/** Test kit: one shared embedded Kafka broker per test JVM and helpers to create topics and read them back. */
package io.wharf.testkit;
