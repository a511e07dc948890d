package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Git#diff} on real git output, whatever the repository's diff settings. */
class GitDiffTest {

    @Test
    void splitsRealGitOutput(@TempDir Path tmp) {
        GitRepo repo = GitRepo.init(tmp)
                .write("src/Main.java", GitRepo.javaClass("Main", 30, 1))
                .write("src/Old.java", GitRepo.javaClass("Old", 30, 2))
                .write("gone.txt", "to be deleted\n")
                .write("img/logo.png", GitRepo.binary(2000))
                .write("same.txt", "unchanged\n")
                .commitAll("base");
        // settings that would change git diff's output if the CLI did not pin them
        repo.git("config", "diff.noprefix", "true");
        repo.git("config", "diff.renames", "false");
        repo.git("config", "color.diff", "always");
        repo.write("src/Main.java", GitRepo.javaClass("Main", 30, 1).replace("f3 = 3", "f3 = 33"))
                .write("img/logo.png", GitRepo.binary(2100))
                .write("docs/new file.md", "# new\n")
                .write("café.txt", "accent\n");
        repo.git("rm", "-q", "gone.txt");
        repo.git("mv", "src/Old.java", "src/Renamed.java");
        repo.write("src/Renamed.java", GitRepo.javaClass("Old", 30, 2).replace("f5 = 10", "f5 = 11"));
        repo.git("add", "-A");
        repo.write("untracked.txt", "not in the diff\n");

        List<FileDiff> files = Git.diff(tmp, "HEAD", false, 10, List.of(), 1_000_000);
        Map<String, FileDiff> byPath = files.stream().collect(Collectors.toMap(FileDiff::path, Function.identity()));
        assertEquals(
                java.util.Set.of(
                        "src/Main.java",
                        "img/logo.png",
                        "docs/new file.md",
                        "café.txt",
                        "gone.txt",
                        "src/Renamed.java"),
                byPath.keySet());
        assertEquals(FileDiff.ChangeType.MODIFIED, byPath.get("src/Main.java").changeType());
        assertTrue(byPath.get("src/Main.java").hunks().contains("-    int f3 = 3;\n+    int f3 = 33;\n"));
        assertTrue(byPath.get("src/Main.java").hunks().contains(" int f13"), "10 lines of context");
        assertTrue(byPath.get("img/logo.png").binary());
        assertEquals(FileDiff.ChangeType.ADDED, byPath.get("docs/new file.md").changeType());
        assertEquals(FileDiff.ChangeType.ADDED, byPath.get("café.txt").changeType());
        assertEquals(FileDiff.ChangeType.DELETED, byPath.get("gone.txt").changeType());
        FileDiff renamed = byPath.get("src/Renamed.java");
        assertEquals(FileDiff.ChangeType.RENAMED, renamed.changeType());
        assertEquals("src/Old.java", renamed.oldPath());
        assertTrue(renamed.hunks().contains("+    int f5 = 11;"));
        assertFalse(renamed.hunks().contains("\u001b["), "no colour codes");

        List<FileDiff> onlyJava = Git.diff(tmp, "HEAD", false, 3, List.of("*.java"), 1_000_000);
        assertEquals(
                List.of("src/Main.java", "src/Renamed.java"),
                onlyJava.stream().map(FileDiff::path).toList());
    }

    @Test
    void mergeBaseLeavesOutWhatTheBaseBranchGained(@TempDir Path tmp) {
        GitRepo repo = GitRepo.init(tmp).write("shared.txt", "one\n").commitAll("base");
        repo.git("branch", "-M", "main");
        repo.git("checkout", "-q", "-b", "feature");
        repo.write("feature.txt", "mine\n").commitAll("feature work");
        repo.git("checkout", "-q", "main");
        repo.write("shared.txt", "two\n").commitAll("main moved on");
        repo.git("checkout", "-q", "feature");
        assertEquals(
                List.of("feature.txt", "shared.txt"),
                Git.diff(tmp, "main", false, 3, List.of(), 1000).stream()
                        .map(FileDiff::path)
                        .toList());
        assertEquals(
                List.of("feature.txt"),
                Git.diff(tmp, "main", true, 3, List.of(), 1000).stream()
                        .map(FileDiff::path)
                        .toList());
    }

    @Test
    void unknownBaseIsAUsageError(@TempDir Path tmp) {
        GitRepo.init(tmp).write("a.txt", "a\n").commitAll("one");
        CliException e =
                assertThrows(CliException.class, () -> Git.diff(tmp, "no-such-ref", false, 3, List.of(), 1000));
        assertEquals(CliException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("no-such-ref"), e.getMessage());
    }

    @Test
    void notARepositoryIsAUsageError(@TempDir Path tmp) {
        CliException e = assertThrows(CliException.class, () -> Git.diff(tmp, "HEAD", false, 3, List.of(), 1000));
        assertEquals(CliException.USAGE, e.exitCode());
    }
}
