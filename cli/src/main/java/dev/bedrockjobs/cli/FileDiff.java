package dev.bedrockjobs.cli;

import java.util.Locale;

/**
 * One file's part of a {@code git diff}.
 *
 * @param path       the file's path after the change (before it, for a deletion), relative to the repository root
 * @param oldPath    the path before a rename or copy, else null
 * @param changeType what happened to the file
 * @param binary     git reported "Binary files ... differ": there is no text to review
 * @param hunks      the file's hunks ({@code @@ ... @@} lines and what follows) as git printed them; empty when the
 *                   change has no text (a pure rename, a mode change, an empty file), null when the file is binary
 *                   or its diff is larger than the limit it was split with (then only {@link #bytes()} is known)
 * @param bytes      the size in UTF-8 bytes of the file's whole section of the diff, header lines included
 */
public record FileDiff(String path, String oldPath, ChangeType changeType, boolean binary, String hunks, long bytes) {

    /** What happened to a file, as git names it. */
    public enum ChangeType {
        ADDED,
        DELETED,
        MODIFIED,
        RENAMED,
        COPIED;

        /** The lower-case word used in prompts and reports. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** True when the file's diff was larger than the limit: its hunks were not kept. */
    public boolean oversize() {
        return !binary && hunks == null;
    }

    /** True when there is text to review. */
    public boolean hasHunks() {
        return hunks != null && !hunks.isEmpty();
    }

    /** "renamed from X", "copied from X", or the change type's word. */
    public String describeChange() {
        return switch (changeType) {
            case RENAMED -> "renamed from " + oldPath;
            case COPIED -> "copied from " + oldPath;
            default -> changeType.word();
        };
    }
}
