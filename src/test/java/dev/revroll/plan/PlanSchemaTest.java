package dev.revroll.plan;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.revroll.errors.PlanException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schema in plans/ is the one the loader uses, every example plan satisfies both, and no schema field is lost. */
class PlanSchemaTest {

    private static Schema jsonSchema;

    @BeforeAll
    static void readSchema() throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("plans/rolloutplan.schema.json"))) {
            jsonSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in, InputFormat.JSON);
        }
    }

    static List<Path> examplePlans() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("plans"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void theLoaderReadsTheSchemaInPlans() throws IOException {
        try (InputStream onClasspath = PlanSchema.class.getResourceAsStream(PlanSchema.RESOURCE)) {
            assertEquals(Files.readString(Path.of("plans/rolloutplan.schema.json")), new String(onClasspath.readAllBytes()));
        }
    }

    @Test
    void everyExamplePlanIsValidForTheLoaderAndTheSchema() throws IOException {
        List<Path> plans = examplePlans();
        assertTrue(plans.size() >= 4, plans.toString());
        for (Path plan : plans) {
            PlanLoader.load(plan);
            List<Error> errors = jsonSchema.validate(Files.readString(plan), InputFormat.YAML);
            assertEquals(List.of(), errors.stream().map(Error::toString).toList(), plan.toString());
        }
    }

    @Test
    void theSchemaAndTheLoaderRejectTheSameMistakes(@TempDir Path dir) throws IOException {
        String good = Files.readString(Path.of("plans/mesh-1-24.yaml"));
        List<String[]> mistakes = List.of(
                new String[] {"  waves:", "  wavez:"},
                new String[] {"surge: enforce", "surge: enforse"},
                new String[] {"timeout: 10m", "timeout: 10"},
                new String[] {"name: canary", "name: Canary"},
                new String[] {"parallel: 2", "parallel: 0"},
                new String[] {"failWhen: \"> 0.01\"", "failWhen: \"=> 0.01\""},
                new String[] {"apiVersion: revroll.dev/v1alpha1", "apiVersion: revroll.dev/v1"},
                new String[] {"    to: 1-24-1", "    too: 1-24-1"},
                new String[] {"url: http://prometheus", "url: prometheus"});
        for (String[] m : mistakes) {
            assertTrue(good.contains(m[0]), m[0]);
            String bad = good.replace(m[0], m[1]);
            Path f = dir.resolve("bad.yaml");
            Files.writeString(f, bad);
            assertThrows(PlanException.class, () -> PlanLoader.load(f), m[1]);
            assertFalse(jsonSchema.validate(bad, InputFormat.YAML).isEmpty(), "the schema accepts " + m[1]);
        }
    }

    @Test
    void theLoaderReadsEveryFieldTheSchemaDeclares() throws IOException {
        Set<String> declared = new TreeSet<>();
        schemaPaths(PlanSchema.get(), new ArrayList<>(), declared);
        Set<String> present = new TreeSet<>();
        for (Path plan : examplePlans()) {
            PlanLoader.FieldUse use = PlanLoader.fieldUse(plan);
            assertEquals(Set.of(), use.ignored(), plan + ": fields the loader does not read");
            present.addAll(use.present());
        }
        assertEquals(declared, present, "the example plans together use every field of the schema, and only those");
    }

    @SuppressWarnings("unchecked")
    private static void schemaPaths(PlanSchema schema, List<String> path, Set<String> out) {
        Map<String, Object> node = schema.at(path.toArray(String[]::new));
        if ("array".equals(node.get("type"))) {
            Map<String, Object> items = schema.at(append(path, "[]").toArray(String[]::new));
            if ("object".equals(items.get("type"))) {
                schemaPaths(schema, append(path, "[]"), out);
            }
            return;
        }
        if (!"object".equals(node.get("type"))) {
            return;
        }
        for (String field : schema.fieldsAt(path.toArray(String[]::new))) {
            List<String> child = append(path, field);
            out.add(String.join(".", child).replace(".[]", "[]"));
            schemaPaths(schema, child, out);
        }
    }

    private static List<String> append(List<String> path, String s) {
        List<String> l = new ArrayList<>(path);
        l.add(s);
        return l;
    }
}
