/** The configuration model: YAML and command-line binding, environment substitution, validation and printing. */
package io.wharf.core.config;
