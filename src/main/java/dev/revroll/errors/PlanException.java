package dev.revroll.errors;

import java.util.List;
import java.util.stream.Collectors;

/** An invalid plan: every problem found, each with file, line, column and field. Nothing was touched. */
public class PlanException extends RevrollException {

    private final List<PlanProblem> problems;

    public PlanException(List<PlanProblem> problems) {
        super(problems.stream().map(PlanProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<PlanProblem> problems() {
        return problems;
    }

    /** One problem: {@code plan.yaml:12:5: spec.wavez: unknown field, did you mean 'waves'?}. line/column are 1-based, 0 when unknown. */
    public record PlanProblem(String file, int line, int column, String field, String message) {
        @Override
        public String toString() {
            String where = line > 0 ? file + ":" + line + ":" + column : file;
            return where + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + message;
        }
    }
}
