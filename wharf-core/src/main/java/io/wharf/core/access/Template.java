package io.wharf.core.access;

import java.util.ArrayList;
import java.util.List;

/**
 * A rule's text with {@code ${sub}}, {@code ${name}} or {@code ${claims.<path>}} in it, resolved
 * for one principal. Parsed once; the configuration has checked the names.
 */
final class Template {
    private final List<String> literals;
    private final List<String> paths;

    private Template(List<String> literals, List<String> paths) {
        this.literals = literals;
        this.paths = paths;
    }

    static Template parse(String text) {
        List<String> literals = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        int from = 0;
        int i;
        while ((i = text.indexOf("${", from)) >= 0) {
            int end = text.indexOf('}', i);
            literals.add(text.substring(from, i));
            paths.add(text.substring(i + 2, end));
            from = end + 1;
        }
        literals.add(text.substring(from));
        return new Template(List.copyOf(literals), List.copyOf(paths));
    }

    /** Whether the text names no principal value. */
    boolean literal() {
        return paths.isEmpty();
    }

    /**
     * The text for a principal; null when a value it names is absent, or (when {@code forPattern})
     * holds a character that would make it match more than the value itself.
     */
    String resolve(Principal principal, boolean forPattern) {
        if (paths.isEmpty()) {
            return literals.get(0);
        }
        StringBuilder out = new StringBuilder(literals.get(0));
        for (int i = 0; i < paths.size(); i++) {
            String value = principal.value(paths.get(i));
            if (value == null || value.isEmpty() || forPattern && !patternSafe(value)) {
                return null;
            }
            out.append(value).append(literals.get(i + 1));
        }
        return out.toString();
    }

    private static boolean patternSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c < 0x20) {
                return false;
            }
        }
        return true;
    }
}
