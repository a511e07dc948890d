package dev.bedrockjobs.core.domain;

/**
 * Which characters a log line or a stored note may carry as they are. Text from outside (a webhook receiver's
 * exception message or {@code Location}, a certificate's names) may hold characters a terminal or a log viewer acts
 * on: C0 and C1 controls (ESC, U+009B CSI, U+0085 next line), DEL, U+2028/U+2029, format characters such as
 * bidirectional overrides, unpaired surrogates.
 */
public final class PrintableText {
    private PrintableText() {}

    /** Whether {@code c}, outside a surrogate pair, shows as itself. */
    public static boolean isPrintable(char c) {
        if (c < 0x7F) {
            return c >= 0x20;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR,
                    Character.FORMAT,
                    Character.SURROGATE,
                    Character.UNASSIGNED,
                    Character.PRIVATE_USE -> false;
            default -> true;
        };
    }

    /**
     * {@code text} without its non-printable characters (surrogate pairs kept), cut to {@code max} characters.
     *
     * @return the cleaned text, or null for null
     */
    public static String strip(String text, int max) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (isPrintable(c)) {
                out.append(c);
            }
        }
        return out.length() < text.length() && out.length() >= max ? out + "…" : out.toString();
    }
}
