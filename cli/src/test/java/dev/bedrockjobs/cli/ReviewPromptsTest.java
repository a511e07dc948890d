package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReviewPromptsTest {
    private static final String HUNKS = "@@ -1,2 +1,2 @@\n class A {\n-  int x;\n+  long x;\n";

    @Test
    void userPromptNamesTheFileTheChangeAndFencesTheDiff() {
        FileDiff f = new FileDiff("src/A.java", null, FileDiff.ChangeType.MODIFIED, false, HUNKS, 100);
        String prompt = ReviewPrompts.userPrompt(f, 10);
        assertTrue(prompt.contains("File: src/A.java\n"), prompt);
        assertTrue(prompt.contains("Change: modified\n"), prompt);
        assertTrue(prompt.contains("up to 10 unchanged lines"), prompt);
        assertTrue(prompt.endsWith("```diff\n" + HUNKS + "```\n"), prompt);
    }

    @Test
    void renamesNewAndDeletedFilesAreExplained() {
        assertTrue(ReviewPrompts.userPrompt(
                        new FileDiff("b.txt", "a.txt", FileDiff.ChangeType.RENAMED, false, HUNKS, 1), 3)
                .contains("Change: renamed from a.txt, with the changes below"));
        assertTrue(ReviewPrompts.userPrompt(new FileDiff("n.txt", null, FileDiff.ChangeType.ADDED, false, HUNKS, 1), 3)
                .contains("Change: new file"));
        assertTrue(
                ReviewPrompts.userPrompt(new FileDiff("d.txt", null, FileDiff.ChangeType.DELETED, false, HUNKS, 1), 3)
                        .contains("Change: deleted"));
    }

    @Test
    void theFenceIsLongerThanAnyBacktickRunInTheDiff() {
        String hunks = "@@ -1 +1 @@\n-```java\n+````java\n";
        String prompt = ReviewPrompts.userPrompt(
                new FileDiff("README.md", null, FileDiff.ChangeType.MODIFIED, false, hunks, 1), 3);
        assertTrue(prompt.contains("`````diff\n" + hunks + "`````\n"), prompt);
        assertEquals("```", ReviewPrompts.fenceFor("no backticks ` here"));
    }

    @Test
    void defaultInstructionsAreTheReviewersBrief() {
        String s = ReviewPrompts.defaultInstructions();
        assertTrue(s.startsWith("You are a meticulous senior software engineer"), s);
        assertTrue(s.contains("No issues found."));
        assertFalse(s.endsWith("\n"));
    }

    @Test
    void batchRequestHasOneItemPerReviewedFileWithPathAsCustomIdAndMetadata() {
        List<FileDiff> files = List.of(
                new FileDiff("src/A.java", null, FileDiff.ChangeType.MODIFIED, false, HUNKS, 100),
                new FileDiff("logo.png", null, FileDiff.ChangeType.ADDED, true, null, 50),
                new FileDiff("big.txt", null, FileDiff.ChangeType.MODIFIED, false, null, 90_000),
                new FileDiff("moved.txt", "orig.txt", FileDiff.ChangeType.RENAMED, false, "", 80),
                new FileDiff("x/" + "y".repeat(300), null, FileDiff.ChangeType.MODIFIED, false, HUNKS, 100),
                new FileDiff(
                        "huge-prompt.txt",
                        null,
                        FileDiff.ChangeType.MODIFIED,
                        false,
                        "@@ -1 +1 @@\n+" + "z".repeat(ReviewCommand.MAX_PROMPT_BYTES) + "\n",
                        100),
                new FileDiff("b/B.java", null, FileDiff.ChangeType.ADDED, false, HUNKS, 100));
        ReviewCommand.Plan plan = ReviewCommand.plan(files, 60_000, 10);
        assertEquals(
                List.of("src/A.java", "b/B.java"),
                plan.reviews().stream().map(p -> p.file().path()).toList());
        assertEquals(
                List.of("binary", "too_large", "no_changes", "path_too_long", "prompt_too_large"),
                plan.skipped().values().stream()
                        .map(ReviewReport.FileReview::errorCode)
                        .toList());
        assertEquals(
                "its diff is 90,000 bytes, over the limit of 60,000 (--max-file-bytes)",
                plan.skipped().get("big.txt").errorMessage());
        assertEquals(
                "renamed from orig.txt without changes",
                plan.skipped().get("moved.txt").errorMessage());

        ObjectNode body = ReviewCommand.batchRequest(plan, "be brief", "fast", 500, false);
        JsonNode items = body.get("items");
        assertEquals(2, items.size());
        assertEquals("src/A.java", items.get(0).get("customId").asText());
        assertEquals("src/A.java", items.get(0).get("metadata").get("path").asText());
        assertEquals(
                ReviewPrompts.userPrompt(files.get(0), 10),
                items.get(0).get("prompt").asText());
        assertEquals("b/B.java", items.get(1).get("customId").asText());
        assertEquals("be brief", body.get("defaults").get("system").asText());
        assertEquals("fast", body.get("defaults").get("model").asText());
        assertEquals(500, body.get("defaults").get("maxTokens").asInt());
        assertFalse(body.get("defaults").has("stream"), "answers are stored whole unless --stream asks");
        assertTrue(body.get("idempotencyKey").asText().startsWith("cli-review-"));
        java.util.Set<String> fields = new java.util.HashSet<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertEquals(java.util.Set.of("items", "defaults", "idempotencyKey"), fields);

        ObjectNode streamed = ReviewCommand.batchRequest(plan, "be brief", null, null, true);
        assertTrue(streamed.get("defaults").get("stream").asBoolean(), "--stream: every answer stored as written");
    }
}
