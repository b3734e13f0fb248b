package dev.revroll.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.revroll.engine.journal.RunJournal;

/** One compact JSON line, or an indented document, from maps, lists and the journal's records. */
final class Json {

    private static final ObjectMapper MAPPER = RunJournal.JSON.copy().configure(SerializationFeature.INDENT_OUTPUT, false);

    private Json() {
    }

    static String line(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pretty(Object o) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
