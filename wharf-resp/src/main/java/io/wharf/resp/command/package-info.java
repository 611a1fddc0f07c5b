/**
 * The commands the RESP door answers, in a table with their arity and flags, and the narrow views
 * of the connection and of the door they run against (implemented by the server package).
 */
package io.wharf.resp.command;
