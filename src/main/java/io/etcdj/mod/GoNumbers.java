package io.etcdj.mod;

/** The text of a failed integer conversion in the reference's language, which some answers quote. */
final class GoNumbers {
    private GoNumbers() {
    }

    /** What {@code strconv.Atoi(text)} reported for a text that is not a 64-bit integer. */
    static String atoiError(String text) {
        boolean syntax = text.matches("[+-]?[0-9]+");
        return "strconv.ParseInt: parsing " + quote(text) + ": " + (syntax ? "value out of range" : "invalid syntax");
    }

    /** A double-quoted literal with escapes for quotes, backslashes and control characters. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\u0007' -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\u000b' -> out.append("\\v");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
