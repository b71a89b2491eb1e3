package org.hzpy.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A Markdown table, built row by row. */
final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = Arrays.asList(headers);
    }

    Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
        }
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(String.valueOf(c).replace("|", "\\|").replace("\n", " "));
        }
        rows.add(row);
        return this;
    }

    String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        line(sb, headers);
        List<String> rule = new ArrayList<>();
        headers.forEach(h -> rule.add("---"));
        line(sb, rule);
        rows.forEach(r -> line(sb, r));
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells) {
        sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
}
