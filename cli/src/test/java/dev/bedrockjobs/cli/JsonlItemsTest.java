package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JsonlItemsTest {

    @Test
    void oneItemPerNonBlankLineWithItsLineNumber() {
        JsonlItems items = JsonlItems.parse(
                "in.jsonl",
                "\uFEFF{\"customId\": \"a\", \"prompt\": \"one\"}\n"
                        + "\n"
                        + "{\"prompt\": \"two\", \"model\": \"fast\", \"maxTokens\": 50, \"temperature\": 0.2,"
                        + " \"metadata\": {\"k\": \"v\"}, \"system\": \"s\"}\r\n"
                        + "   \n"
                        + "{\"prompt\": \"three\"}");
        assertEquals(3, items.items().size());
        assertEquals(1, items.items().get(0).line());
        assertEquals("a", items.items().get(0).json().get("customId").asText());
        assertEquals(3, items.items().get(1).line());
        assertEquals("two", items.items().get(1).json().get("prompt").asText());
        assertEquals(5, items.items().get(2).line());
    }

    @Test
    void everyBadLineIsReportedWithItsNumber() {
        String text = String.join(
                "\n",
                "{\"prompt\": \"ok\", \"customId\": \"x\"}",
                "{\"prompt\": \"missing brace\"",
                "[1, 2]",
                "{\"promt\": \"typo\"}",
                "{\"prompt\": \"   \"}",
                "{\"prompt\": \"p\", \"model\": \"huge\", \"maxTokens\": -1}",
                "{\"prompt\": \"p\", \"customId\": \"x\"}",
                "{\"prompt\": \"p\", \"metadata\": {\"n\": 1}}");
        CliException e = assertThrows(CliException.class, () -> JsonlItems.parse("in.jsonl", text));
        assertEquals(CliException.USAGE, e.exitCode());
        String m = e.getMessage();
        assertTrue(m.startsWith("in.jsonl has 9 errors:"), m);
        assertTrue(m.contains("\n  in.jsonl:2: not valid JSON"), m);
        assertTrue(m.contains("\n  in.jsonl:3: must be a JSON object, not an array"), m);
        assertTrue(
                m.contains("\n  in.jsonl:4: unknown field 'promt' (an item has customId, prompt, system, model, "
                        + "maxTokens, temperature, metadata)"),
                m);
        assertTrue(m.contains("\n  in.jsonl:4: 'prompt' is required"), m);
        assertTrue(m.contains("\n  in.jsonl:5: 'prompt' must be non-blank text"), m);
        assertTrue(m.contains("\n  in.jsonl:6: 'model' must be one of fast, standard, reasoning"), m);
        assertTrue(m.contains("\n  in.jsonl:6: 'maxTokens' must be a positive whole number"), m);
        assertTrue(m.contains("\n  in.jsonl:7: customId 'x' is already used on line 1"), m);
        assertTrue(m.contains("\n  in.jsonl:8: metadata 'n' must be text"), m);
    }

    @Test
    void anEmptyFileIsAnError() {
        CliException e = assertThrows(CliException.class, () -> JsonlItems.parse("empty.jsonl", "\n\n"));
        assertTrue(e.getMessage().startsWith("empty.jsonl has no items"), e.getMessage());
    }

    @Test
    void manyErrorsAreCappedInTheMessage() {
        String text = "nope\n".repeat(30);
        CliException e = assertThrows(CliException.class, () -> JsonlItems.parse("x.jsonl", text));
        assertTrue(e.getMessage().startsWith("x.jsonl has 30 errors:"), e.getMessage());
        assertTrue(e.getMessage().endsWith("... and 10 more"), e.getMessage());
    }

    @Test
    void apiFieldNamesAreTranslatedToLines() {
        JsonlItems items = JsonlItems.parse("in.jsonl", "{\"prompt\": \"a\"}\n\n\n{\"prompt\": \"b\"}\n");
        assertEquals("items[1].prompt (in.jsonl line 4)", items.label("items[1].prompt"));
        assertEquals("items[0] (in.jsonl line 1)", items.label("items[0]"));
        assertEquals("items[9].prompt", items.label("items[9].prompt"));
        assertEquals("defaults.model", items.label("defaults.model"));
    }
}
