package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ModelFixtures.json;
import static dev.bedrockjobs.local.emulators.fixture.DocumentedBodies.undocumentedFields;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentedBodiesTest {

    private static final String DOCUMENTED = """
            {"max_tokens": 512, "temperature": 0.5, "system": "s",
             "messages": [{"role": "user", "content": [{"type": "text", "text": "t"}]}]}""";

    @Test
    void aBodyWithPartOfTheDocumentedFieldsIsDocumented() {
        assertEquals(List.of(), undocumentedFields(json(DOCUMENTED), json("""
                {"max_tokens": 8, "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]},
                                               {"role": "assistant", "content": []}]}""")));
    }

    @Test
    void aFieldTheDocumentationLacksIsReportedByItsPointer() {
        assertEquals(
                List.of(
                        "/messages/0 has the shape of no documented element",
                        "/max_new_tokens is not a documented field"),
                undocumentedFields(json(DOCUMENTED), json("""
                        {"messages": [{"role": "user", "name": "x"}], "max_new_tokens": 8}""")));
    }

    @Test
    void aFieldOfAnotherTypeIsReported() {
        assertEquals(
                List.of("/max_tokens is number, documented as integer", "/system is array, documented as string"),
                undocumentedFields(json(DOCUMENTED), json("""
                        {"max_tokens": 8.5, "system": [{"text": "s"}]}""")));
    }
}
