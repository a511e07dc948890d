package dev.bedrockjobs.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.domain.Json;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console's files as the status function serves them: each under the strict policy, the page loading nothing
 * but its own two files, and nothing inline that the policy would have to allow.
 */
class ConsolePageTest {

    @Test
    void thePageAndItsFilesAreServedUnderAPolicyThatAllowsOnlyTheirOwnOrigin() {
        for (String path : List.of("/console", "/console/console.js", "/console/console.css")) {
            ApiResponse r = ConsolePage.serve(path);
            assertEquals(200, r.status(), path);
            assertTrue(r.headers().get("content-security-policy").startsWith("default-src 'self';"), path);
            assertFalse(r.headers().get("content-security-policy").contains("unsafe"), path);
            assertEquals("nosniff", r.headers().get("x-content-type-options"), path);
            assertFalse(r.body().isBlank(), path);
        }
        assertTrue(ConsolePage.serve("/console").headers().get("content-type").startsWith("text/html"));
        assertTrue(ConsolePage.serve("/console/console.js")
                .headers()
                .get("content-type")
                .startsWith("text/javascript"));
    }

    @Test
    void thePageLoadsOnlyItsOwnFilesAndHasNothingInline() {
        String html = ConsolePage.serve("/console").body();
        Matcher refs = Pattern.compile("(?:src|href)=\"([^\"#]+)\"").matcher(html);
        List<String> loaded = refs.results().map(m -> m.group(1)).toList();
        assertEquals(
                List.of("console/console.css", "console/console.js"),
                loaded,
                "relative to the page, so a deployment under a base path serves them too");
        Matcher scripts =
                Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(html);
        assertTrue(scripts.find());
        do {
            assertTrue(scripts.group(1).contains("src="), "no inline script: " + scripts.group());
            assertTrue(scripts.group(2).isBlank(), scripts.group());
        } while (scripts.find());
        assertFalse(
                Pattern.compile("\\son[a-z]+=|\\sstyle=|<style", Pattern.CASE_INSENSITIVE)
                        .matcher(html)
                        .find(),
                "no inline handler or style");
        assertFalse(
                ConsolePage.serve("/console/console.js").body().contains("innerHTML"),
                "the API's texts are set as text, never parsed as markup");
    }

    @Test
    void anyOtherFileUnderTheConsoleIsANotFoundProblem() {
        for (String path :
                List.of("/console/", "/console/index.html", "/console/../template.yaml", "/console/console.js/x")) {
            ApiResponse r = ConsolePage.serve(path);
            assertEquals(404, r.status(), path);
            assertEquals("not_found", Json.parse(r.body()).path("code").asText(), path);
        }
    }
}
