/** Log lines that clients cannot forge or flood: escaped client text and throttled warnings. */
package io.wharf.core.logging;
