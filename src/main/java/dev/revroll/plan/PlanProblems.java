package dev.revroll.plan;

import dev.revroll.errors.PlanException;
import dev.revroll.errors.PlanException.PlanProblem;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Every problem found in one plan file, kept in file order. */
final class PlanProblems {

    private final String file;
    private final List<PlanProblem> problems = new ArrayList<>();

    PlanProblems(String file) {
        this.file = file;
    }

    /** A problem at the cursor's node, named by its field path. */
    void add(PlanCursor at, String message) {
        add(at.node(), at.path(), message);
    }

    void add(Node at, String field, String message) {
        add(at == null ? null : at.getStartMark(), field, message);
    }

    void add(Mark mark, String field, String message) {
        int line = mark == null ? 0 : mark.getLine() + 1;
        int column = mark == null ? 0 : mark.getColumn() + 1;
        problems.add(new PlanProblem(file, line, column, field, message));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    PlanException toException() {
        List<PlanProblem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingInt(PlanProblem::line).thenComparingInt(PlanProblem::column));
        return new PlanException(sorted);
    }
}
