package dev.bedrockjobs.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the output of {@code git diff} (unified, with {@code a/} and {@code b/} prefixes) into one {@link FileDiff}
 * per file: new, deleted, renamed, copied and binary files, C-quoted paths, and files too large to keep, whose size
 * is still counted exactly while their text is dropped as it streams past.
 */
public final class DiffSplitter {
    private static final String DIFF_GIT = "diff --git ";
    private static final String DEV_NULL = "/dev/null";

    private DiffSplitter() {}

    public static List<FileDiff> split(String diff, long maxFileBytes) {
        try {
            return split(new BufferedReader(new StringReader(diff)), maxFileBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param maxFileBytes a file whose section of the diff is larger keeps no hunks ({@link FileDiff#oversize()})
     */
    public static List<FileDiff> split(BufferedReader in, long maxFileBytes) throws IOException {
        List<FileDiff> files = new ArrayList<>();
        Section current = null;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(DIFF_GIT)) {
                if (current != null) {
                    files.add(current.finish());
                }
                current = new Section(line, maxFileBytes);
            } else if (current != null) {
                current.add(line);
            }
            // anything before the first "diff --git" (there is nothing, from git diff) is ignored
        }
        if (current != null) {
            files.add(current.finish());
        }
        return files;
    }

    /** The file section being read. */
    private static final class Section {
        private final long maxBytes;
        private String oldPath;
        private String newPath;
        private String headerOld;
        private String headerNew;
        private FileDiff.ChangeType type = FileDiff.ChangeType.MODIFIED;
        private boolean binary;
        private boolean inHunks;
        private StringBuilder hunks = new StringBuilder();
        private long bytes;

        Section(String header, long maxBytes) {
            this.maxBytes = maxBytes;
            String[] paths = headerPaths(header.substring(DIFF_GIT.length()));
            headerOld = paths[0];
            headerNew = paths[1];
            count(header);
        }

        void add(String line) {
            count(line);
            if (inHunks) {
                keep(line);
                return;
            }
            if (line.startsWith("@@")) {
                inHunks = true;
                keep(line);
            } else if (line.startsWith("new file mode ")) {
                type = FileDiff.ChangeType.ADDED;
            } else if (line.startsWith("deleted file mode ")) {
                type = FileDiff.ChangeType.DELETED;
            } else if (line.startsWith("rename from ")) {
                type = FileDiff.ChangeType.RENAMED;
                oldPath = unquote(line.substring("rename from ".length()));
            } else if (line.startsWith("rename to ")) {
                newPath = unquote(line.substring("rename to ".length()));
            } else if (line.startsWith("copy from ")) {
                type = FileDiff.ChangeType.COPIED;
                oldPath = unquote(line.substring("copy from ".length()));
            } else if (line.startsWith("copy to ")) {
                newPath = unquote(line.substring("copy to ".length()));
            } else if (line.startsWith("--- ")) {
                String p = filePath(line.substring(4), "a/");
                if (p != null && oldPath == null) {
                    oldPath = p;
                }
            } else if (line.startsWith("+++ ")) {
                String p = filePath(line.substring(4), "b/");
                if (p != null && newPath == null) {
                    newPath = p;
                }
            } else if (line.startsWith("Binary files ") || line.equals("GIT binary patch")) {
                binary = true;
            }
        }

        private void count(String line) {
            bytes += utf8Length(line) + 1;
            if (bytes > maxBytes) {
                hunks = null; // too large: stop keeping text, keep counting
            }
        }

        private void keep(String line) {
            if (hunks != null) {
                hunks.append(line).append('\n');
            }
        }

        FileDiff finish() {
            String before = oldPath != null ? oldPath : headerOld;
            String after = newPath != null ? newPath : headerNew;
            String path = type == FileDiff.ChangeType.DELETED ? before : after;
            String old = type == FileDiff.ChangeType.RENAMED || type == FileDiff.ChangeType.COPIED ? before : null;
            String text = binary || hunks == null ? null : hunks.toString();
            return new FileDiff(path, old, type, binary, text, bytes);
        }
    }

    /** A path on a {@code ---} / {@code +++} line, without its prefix; null for /dev/null. */
    private static String filePath(String text, String prefix) {
        String t = text;
        if (t.endsWith("\t")) {
            t = t.substring(0, t.length() - 1); // git adds a tab after a name with a space in it
        }
        if (t.equals(DEV_NULL)) {
            return null;
        }
        String p = unquote(t);
        return p.startsWith(prefix) ? p.substring(prefix.length()) : p;
    }

    /**
     * The old and new paths of a {@code diff --git a/X b/Y} line. Quoted names are exact; unquoted ones are ambiguous
     * when they hold " b/", so the split that makes both names equal wins (the line is only the fallback for binary,
     * mode-only and pure-rename sections: the other header lines name renamed files exactly).
     */
    static String[] headerPaths(String rest) {
        if (rest.startsWith("\"")) {
            int end = closingQuote(rest, 0);
            String a = unquote(rest.substring(0, end + 1));
            String b = unquote(rest.substring(end + 1).strip());
            return new String[] {strip(a, "a/"), strip(b, "b/")};
        }
        if (rest.endsWith("\"")) {
            int start = rest.lastIndexOf(" \"");
            if (start >= 0) {
                return new String[] {
                    strip(rest.substring(0, start), "a/"), strip(unquote(rest.substring(start + 1)), "b/")
                };
            }
        }
        int n = rest.length();
        if (n % 2 == 1) {
            int half = n / 2;
            String a = rest.substring(0, half);
            String b = rest.substring(half + 1);
            if (rest.charAt(half) == ' '
                    && a.startsWith("a/")
                    && b.startsWith("b/")
                    && a.substring(2).equals(b.substring(2))) {
                return new String[] {a.substring(2), b.substring(2)};
            }
        }
        int split = rest.indexOf(" b/");
        if (split < 0) {
            return new String[] {strip(rest, "a/"), strip(rest, "a/")};
        }
        return new String[] {strip(rest.substring(0, split), "a/"), rest.substring(split + 3)};
    }

    private static String strip(String p, String prefix) {
        return p.startsWith(prefix) ? p.substring(prefix.length()) : p;
    }

    private static int closingQuote(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return s.length() - 1;
    }

    /** Undoes git's C-style quoting of a path ({@code "dir/caf\303\251 \"x\".txt"}); unquoted text is returned as is. */
    static String unquote(String s) {
        if (s.length() < 2 || !s.startsWith("\"") || !s.endsWith("\"")) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int plain = 1; // start of the run of unescaped characters not yet written
        int end = s.length() - 1;
        for (int i = 1; i < end; i++) {
            if (s.charAt(i) != '\\' || i + 1 >= end) {
                continue;
            }
            out.writeBytes(s.substring(plain, i).getBytes(StandardCharsets.UTF_8));
            char e = s.charAt(++i);
            switch (e) {
                case 'a' -> out.write(7);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(11);
                default -> {
                    if (e >= '0' && e <= '7' && i + 2 < end) {
                        out.write(Integer.parseInt(s.substring(i, i + 3), 8));
                        i += 2;
                    } else {
                        out.write(e); // \\ and \"
                    }
                }
            }
            plain = i + 1;
        }
        out.writeBytes(s.substring(plain, end).getBytes(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isSurrogate(c)) {
                n += 2; // a pair is 4 bytes
            } else {
                n += 3;
            }
        }
        return n;
    }
}
