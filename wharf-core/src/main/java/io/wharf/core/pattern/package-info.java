/** Name patterns matched in bounded time: Redis globs for KEYS and for access rules. */
package io.wharf.core.pattern;
