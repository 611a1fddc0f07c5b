/** The commands the RESP door answers, each registered in a command table with its arity and flags. */
package io.wharf.resp.command;
