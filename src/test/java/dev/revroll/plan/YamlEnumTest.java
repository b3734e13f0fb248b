package dev.revroll.plan;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class YamlEnumTest {

    @Test
    void readsEachEnumInItsYamlSpelling() {
        assertEquals(Optional.of(OnFailure.ROLLBACK_WAVE), YamlEnum.fromYaml(OnFailure.class, "rollback-wave"));
        assertEquals(Optional.of(SurgePolicy.KEEP), YamlEnum.fromYaml(SurgePolicy.class, "keep"));
        assertEquals(Optional.of(OnNoData.WAIT), YamlEnum.fromYaml(OnNoData.class, "wait"));
        assertEquals(Optional.of(WorkloadKind.StatefulSet), YamlEnum.fromYaml(WorkloadKind.class, "StatefulSet"));
    }

    @Test
    void theJavaNameIsNotTheYamlSpelling() {
        assertEquals(Optional.empty(), YamlEnum.fromYaml(OnFailure.class, "ROLLBACK_WAVE"));
        assertEquals(Optional.empty(), YamlEnum.fromYaml(OnNoData.class, "WAIT"));
        assertEquals(Optional.empty(), YamlEnum.fromYaml(WorkloadKind.class, "statefulset"));
        assertEquals(Optional.empty(), YamlEnum.fromYaml(SurgePolicy.class, ""));
        assertEquals(Optional.empty(), YamlEnum.fromYaml(SurgePolicy.class, null));
    }

    @Test
    void theSpellingsAreTheSchemasEnumValuesInOrder() {
        PlanSchema schema = PlanSchema.get();
        assertEquals(schema.at("spec", "onFailure").get("enum"), spellings(OnFailure.values()));
        assertEquals(schema.at("spec", "restart", "surge").get("enum"), spellings(SurgePolicy.values()));
        assertEquals(schema.at("spec", "gates", "metrics", "[]", "onNoData").get("enum"), spellings(OnNoData.values()));
        assertEquals(schema.at("spec", "restart", "kinds", "[]").get("enum"), spellings(WorkloadKind.values()));
    }

    private static List<String> spellings(YamlEnum[] values) {
        return Arrays.stream(values).map(YamlEnum::yaml).toList();
    }
}
