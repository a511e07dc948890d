package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DiffSplitterTest {
    private static final long NO_LIMIT = Long.MAX_VALUE;

    private static final String MODIFIED = """
            diff --git a/src/App.java b/src/App.java
            index 83db48f..bf269f4 100644
            --- a/src/App.java
            +++ b/src/App.java
            @@ -1,3 +1,3 @@
             class App {
            -    int x = 1;
            +    int x = 2;
             }
            """;

    @Test
    void modifiedFileKeepsItsHunksOnly() {
        List<FileDiff> files = DiffSplitter.split(MODIFIED, NO_LIMIT);
        assertEquals(1, files.size());
        FileDiff f = files.get(0);
        assertEquals("src/App.java", f.path());
        assertNull(f.oldPath());
        assertEquals(FileDiff.ChangeType.MODIFIED, f.changeType());
        assertFalse(f.binary());
        assertTrue(f.hasHunks());
        assertEquals("@@ -1,3 +1,3 @@\n class App {\n-    int x = 1;\n+    int x = 2;\n }\n", f.hunks());
        assertEquals(MODIFIED.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, f.bytes());
    }

    @Test
    void newAndDeletedFiles() {
        String diff = """
                diff --git a/docs/new.md b/docs/new.md
                new file mode 100644
                index 0000000..3b18e51
                --- /dev/null
                +++ b/docs/new.md
                @@ -0,0 +1,2 @@
                +# Title
                +text
                diff --git a/old/Gone.java b/old/Gone.java
                deleted file mode 100644
                index 3b18e51..0000000
                --- a/old/Gone.java
                +++ /dev/null
                @@ -1 +0,0 @@
                -class Gone {}
                """;
        List<FileDiff> files = DiffSplitter.split(diff, NO_LIMIT);
        assertEquals(2, files.size());
        assertEquals("docs/new.md", files.get(0).path());
        assertEquals(FileDiff.ChangeType.ADDED, files.get(0).changeType());
        assertEquals("@@ -0,0 +1,2 @@\n+# Title\n+text\n", files.get(0).hunks());
        assertEquals("old/Gone.java", files.get(1).path());
        assertEquals(FileDiff.ChangeType.DELETED, files.get(1).changeType());
        assertEquals("deleted", files.get(1).describeChange());
        assertEquals("@@ -1 +0,0 @@\n-class Gone {}\n", files.get(1).hunks());
    }

    @Test
    void renamesWithAndWithoutChanges() {
        String diff = """
                diff --git a/a/Old.java b/b/New.java
                similarity index 88%
                rename from a/Old.java
                rename to b/New.java
                index 1111111..2222222 100644
                --- a/a/Old.java
                +++ b/b/New.java
                @@ -1 +1 @@
                -class Old {}
                +class New {}
                diff --git a/same.txt b/moved/same.txt
                similarity index 100%
                rename from same.txt
                rename to moved/same.txt
                """;
        List<FileDiff> files = DiffSplitter.split(diff, NO_LIMIT);
        assertEquals(2, files.size());
        FileDiff renamed = files.get(0);
        assertEquals("b/New.java", renamed.path(), "a folder named b/ must not lose its name to the prefix");
        assertEquals("a/Old.java", renamed.oldPath());
        assertEquals(FileDiff.ChangeType.RENAMED, renamed.changeType());
        assertEquals("renamed from a/Old.java", renamed.describeChange());
        assertTrue(renamed.hasHunks());
        FileDiff pure = files.get(1);
        assertEquals("moved/same.txt", pure.path());
        assertEquals("same.txt", pure.oldPath());
        assertFalse(pure.hasHunks());
        assertEquals("", pure.hunks());
        assertFalse(pure.oversize());
    }

    @Test
    void binaryFilesHaveNoText() {
        String diff = """
                diff --git a/img/logo.png b/img/logo.png
                new file mode 100644
                index 0000000..6b2aaa7
                Binary files /dev/null and b/img/logo.png differ
                diff --git a/data.bin b/data.bin
                index 6b2aaa7..8c1d3f0 100644
                Binary files a/data.bin and b/data.bin differ
                """ + MODIFIED;
        List<FileDiff> files = DiffSplitter.split(diff, NO_LIMIT);
        assertEquals(3, files.size());
        assertEquals("img/logo.png", files.get(0).path());
        assertTrue(files.get(0).binary());
        assertEquals(FileDiff.ChangeType.ADDED, files.get(0).changeType());
        assertNull(files.get(0).hunks());
        assertFalse(files.get(0).oversize());
        assertEquals("data.bin", files.get(1).path());
        assertTrue(files.get(1).binary());
        assertEquals(FileDiff.ChangeType.MODIFIED, files.get(1).changeType());
        assertEquals("src/App.java", files.get(2).path());
        assertFalse(files.get(2).binary());
    }

    @Test
    void hugeFileIsCountedButNotKept() {
        StringBuilder diff = new StringBuilder("""
                diff --git a/big.txt b/big.txt
                new file mode 100644
                index 0000000..1234567
                --- /dev/null
                +++ b/big.txt
                @@ -0,0 +1,5000 @@
                """);
        for (int i = 0; i < 5000; i++) {
            diff.append("+line number ").append(i).append('\n');
        }
        long expected = diff.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        List<FileDiff> files = DiffSplitter.split(diff + MODIFIED, 10_000);
        assertEquals(2, files.size());
        FileDiff big = files.get(0);
        assertEquals("big.txt", big.path());
        assertTrue(big.oversize());
        assertNull(big.hunks());
        assertEquals(expected, big.bytes());
        assertFalse(files.get(1).oversize(), "the limit applies per file");
        assertTrue(files.get(1).hasHunks());
    }

    @Test
    void bodyLinesThatLookLikeHeadersStayInTheBody() {
        String diff = """
                diff --git a/notes.txt b/notes.txt
                index 1111111..2222222 100644
                --- a/notes.txt
                +++ b/notes.txt
                @@ -1,2 +1,2 @@
                --- a/elsewhere
                +++ b/elsewhere
                 rename from x
                """;
        FileDiff f = DiffSplitter.split(diff, NO_LIMIT).get(0);
        assertEquals("notes.txt", f.path());
        assertEquals(FileDiff.ChangeType.MODIFIED, f.changeType());
        assertTrue(f.hunks().contains("--- a/elsewhere\n+++ b/elsewhere\n rename from x\n"));
    }

    @Test
    void quotedAndSpacedPaths() {
        String diff = "diff --git \"a/dir/caf\\303\\251 \\\"x\\\".txt\" \"b/dir/caf\\303\\251 \\\"x\\\".txt\"\n"
                + "index 1111111..2222222 100644\n"
                + "--- \"a/dir/caf\\303\\251 \\\"x\\\".txt\"\n"
                + "+++ \"b/dir/caf\\303\\251 \\\"x\\\".txt\"\n"
                + "@@ -1 +1 @@\n-a\n+b\n"
                + "diff --git a/my file.png b/my file.png\n"
                + "index 1111111..2222222 100644\n"
                + "Binary files a/my file.png and b/my file.png differ\n"
                + "diff --git a/with space.txt b/with space.txt\n"
                + "index 1111111..2222222 100644\n"
                + "--- a/with space.txt\t\n"
                + "+++ b/with space.txt\t\n"
                + "@@ -1 +1 @@\n-a\n+b\n";
        List<FileDiff> files = DiffSplitter.split(diff, NO_LIMIT);
        assertEquals("dir/café \"x\".txt", files.get(0).path());
        assertEquals("my file.png", files.get(1).path());
        assertEquals("with space.txt", files.get(2).path());
    }

    @Test
    void modeChangeOnlyHasNoHunks() {
        String diff = """
                diff --git a/run.sh b/run.sh
                old mode 100644
                new mode 100755
                """;
        FileDiff f = DiffSplitter.split(diff, NO_LIMIT).get(0);
        assertEquals("run.sh", f.path());
        assertEquals(FileDiff.ChangeType.MODIFIED, f.changeType());
        assertFalse(f.hasHunks());
        assertFalse(f.binary());
    }

    @Test
    void emptyDiffHasNoFiles() {
        assertTrue(DiffSplitter.split("", NO_LIMIT).isEmpty());
    }

    @Test
    void unquoteHandlesEscapes() {
        assertEquals("a\tb\\c\"d", DiffSplitter.unquote("\"a\\tb\\\\c\\\"d\""));
        assertEquals("é", DiffSplitter.unquote("\"\\303\\251\""));
        assertEquals("plain", DiffSplitter.unquote("plain"));
    }

    @Test
    void utf8LengthCountsBytes() {
        assertEquals(1, DiffSplitter.utf8Length("a"));
        assertEquals(2, DiffSplitter.utf8Length("é"));
        assertEquals(3, DiffSplitter.utf8Length("€"));
        assertEquals(4, DiffSplitter.utf8Length("\uD83D\uDE00"));
    }
}
