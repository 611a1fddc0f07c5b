/** Test kit: one shared embedded Kafka broker per test JVM, helpers to create topics and read them back, and the external tools tests run. */
package io.wharf.testkit;
