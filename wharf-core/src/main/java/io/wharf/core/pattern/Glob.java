package io.wharf.core.pattern;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Redis glob ({@code *}, {@code ?}, {@code [abc]}, {@code [a-z]}, {@code [^...]}, {@code \x}),
 * with Redis's own rules for the corner cases (an unterminated {@code [} runs to the end of the
 * pattern, {@code []} matches nothing). Matching is a loop without recursion or regular
 * expressions: a {@code *} keeps one backtracking point, so a name of n characters costs at most
 * about n² + n steps whatever the pattern, and every match counts its steps against a budget.
 * Immutable; a {@link Scan} is for one thread.
 */
public final class Glob {
    /** Longest pattern accepted, in characters. */
    public static final int MAX_PATTERN_CHARS = 4096;

    private static final byte LITERAL = 0;
    private static final byte ANY = 1;
    private static final byte STAR = 2;
    private static final byte SET = 3;

    private final byte[] kinds;
    private final char[] literals;
    private final CharSet[] sets;
    // non-star tokens from each position to the end: a name shorter than that cannot match
    private final int[] needed;

    private Glob(byte[] kinds, char[] literals, CharSet[] sets) {
        this.kinds = kinds;
        this.literals = literals;
        this.sets = sets;
        this.needed = new int[kinds.length + 1];
        for (int p = kinds.length - 1; p >= 0; p--) {
            needed[p] = needed[p + 1] + (kinds[p] == STAR ? 0 : 1);
        }
    }

    /** Compiles a pattern (consecutive stars are one star). */
    public static Glob compile(String pattern) {
        int len = pattern.length();
        byte[] kinds = new byte[len];
        char[] literals = new char[len];
        CharSet[] sets = new CharSet[len];
        int k = 0;
        int i = 0;
        while (i < len) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> {
                    if (k == 0 || kinds[k - 1] != STAR) {
                        kinds[k++] = STAR;
                    }
                    i++;
                }
                case '?' -> {
                    kinds[k++] = ANY;
                    i++;
                }
                case '[' -> {
                    i++;
                    boolean negate = i < len && pattern.charAt(i) == '^';
                    if (negate) {
                        i++;
                    }
                    List<int[]> ranges = new ArrayList<>();
                    while (true) {
                        if (i >= len) {
                            break; // Redis: an unterminated set ends with the pattern
                        }
                        char m = pattern.charAt(i);
                        if (m == '\\' && i + 1 < len) {
                            ranges.add(new int[] {pattern.charAt(i + 1), pattern.charAt(i + 1)});
                            i += 2;
                        } else if (m == ']') {
                            i++;
                            break;
                        } else if (i + 2 < len && pattern.charAt(i + 1) == '-') {
                            char a = m;
                            char b = pattern.charAt(i + 2);
                            ranges.add(new int[] {Math.min(a, b), Math.max(a, b)});
                            i += 3;
                        } else {
                            ranges.add(new int[] {m, m});
                            i++;
                        }
                    }
                    kinds[k] = SET;
                    sets[k++] = CharSet.of(ranges, negate);
                }
                case '\\' -> {
                    // a trailing backslash stands for itself, as in Redis
                    kinds[k] = LITERAL;
                    literals[k++] = i + 1 < len ? pattern.charAt(i + 1) : '\\';
                    i += i + 1 < len ? 2 : 1;
                }
                default -> {
                    kinds[k] = LITERAL;
                    literals[k++] = c;
                    i++;
                }
            }
        }
        return new Glob(Arrays.copyOf(kinds, k), Arrays.copyOf(literals, k), Arrays.copyOf(sets, k));
    }

    /** Whether the whole name matches, without a step budget (for tests and short names). */
    public boolean matches(CharSequence name) {
        return scan(Long.MAX_VALUE).matches(name);
    }

    /** Matches names one after another within {@code maxSteps} steps altogether. */
    public Scan scan(long maxSteps) {
        return new Scan(maxSteps);
    }

    /** A run of matches sharing one step budget; once the budget is spent nothing matches any more. */
    public final class Scan {
        private long stepsLeft;
        private boolean exhausted;

        private Scan(long maxSteps) {
            this.stepsLeft = maxSteps;
        }

        /** Whether the budget ran out (the last answers are not to be trusted). */
        public boolean exhausted() {
            return exhausted;
        }

        /** Whether the whole name matches the pattern. */
        public boolean matches(CharSequence s) {
            if (exhausted) {
                return false;
            }
            int n = s.length();
            int k = kinds.length;
            if (n < needed[0]) {
                stepsLeft--;
                return false;
            }
            int p = 0;
            int i = 0;
            int starP = -1;
            int starI = -1;
            while (i < n) {
                if (--stepsLeft < 0) {
                    exhausted = true;
                    return false;
                }
                if (p < k && kinds[p] == STAR) {
                    starP = p++;
                    starI = i;
                    continue;
                }
                if (p < k && one(p, s.charAt(i))) {
                    p++;
                    i++;
                    continue;
                }
                // the last star takes one more character; earlier stars keep what they took, which is
                // enough because every other token matches exactly one character
                if (starP < 0 || n - (starI + 1) < needed[starP + 1]) {
                    return false;
                }
                p = starP + 1;
                i = ++starI;
            }
            while (p < k && kinds[p] == STAR) {
                p++;
            }
            return p == k;
        }
    }

    private boolean one(int p, char c) {
        return switch (kinds[p]) {
            case LITERAL -> literals[p] == c;
            case ANY -> true;
            case SET -> sets[p].contains(c);
            default -> false;
        };
    }

    /** A {@code [...]} set as sorted, merged ranges, looked up by binary search. */
    private record CharSet(char[] from, char[] to, boolean negate) {
        static CharSet of(List<int[]> ranges, boolean negate) {
            ranges.sort((x, y) -> Integer.compare(x[0], y[0]));
            List<int[]> merged = new ArrayList<>();
            for (int[] r : ranges) {
                if (!merged.isEmpty() && r[0] <= merged.get(merged.size() - 1)[1] + 1) {
                    int[] last = merged.get(merged.size() - 1);
                    last[1] = Math.max(last[1], r[1]);
                } else {
                    merged.add(new int[] {r[0], r[1]});
                }
            }
            char[] from = new char[merged.size()];
            char[] to = new char[merged.size()];
            for (int j = 0; j < merged.size(); j++) {
                from[j] = (char) merged.get(j)[0];
                to[j] = (char) merged.get(j)[1];
            }
            return new CharSet(from, to, negate);
        }

        boolean contains(char c) {
            int lo = 0;
            int hi = from.length - 1;
            boolean in = false;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (c < from[mid]) {
                    hi = mid - 1;
                } else if (c > to[mid]) {
                    lo = mid + 1;
                } else {
                    in = true;
                    break;
                }
            }
            return in != negate;
        }
    }
}
