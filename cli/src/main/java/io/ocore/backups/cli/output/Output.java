package io.ocore.backups.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.ocore.backups.cli.CliContext;
import io.ocore.backups.cli.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Prints what a command got back: the server's JSON pretty-printed ({@code --output json}), or
 * a table / a field list for people. Everything goes through the context's redactor.
 */
public final class Output {

    /** Shown for a missing value. */
    public static final String NONE = "-";

    private final CliContext ctx;
    private final boolean json;

    public Output(CliContext ctx, boolean json) {
        this.ctx = ctx;
        this.json = json;
    }

    public boolean json() {
        return json;
    }

    public void printJson(JsonNode node) {
        ctx.println(node == null || node.isMissingNode() ? "null" : Json.pretty(node));
    }

    /** A column of a table: its header and how to get the cell from an element. */
    public record Column(String header, Function<JsonNode, String> cell) {
        public static Column of(String header, Function<JsonNode, String> cell) {
            return new Column(header, cell);
        }

        public static Column field(String header, String field) {
            return new Column(header, node -> Json.text(node, field));
        }
    }

    /** A list: a JSON array, or a table with one row per element. */
    public void list(List<JsonNode> items, List<Column> columns) {
        if (json) {
            var array = Json.array();
            items.forEach(array::add);
            printJson(array);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode item : items) {
            List<String> row = new ArrayList<>();
            for (Column column : columns) {
                row.add(column.cell().apply(item));
            }
            rows.add(row);
        }
        table(columns.stream().map(Column::header).toList(), rows);
    }

    public void table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], cell(row.get(i)).length());
            }
        }
        ctx.println(line(headers, widths));
        for (List<String> row : rows) {
            ctx.println(line(row, widths));
        }
    }

    /** One resource: the JSON, or "LABEL  value" lines. */
    public void fields(JsonNode node, Map<String, String> fields) {
        if (json) {
            printJson(node);
            return;
        }
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        fields.forEach((label, value) -> ctx.println(pad(label + ":", width + 1) + "  " + cell(value)));
    }

    /** Any JSON for people: indented "key: value" lines (for answers with no fixed shape). */
    public void generic(JsonNode node) {
        if (json) {
            printJson(node);
            return;
        }
        List<String> lines = new ArrayList<>();
        describe(node, "", lines);
        lines.forEach(ctx::println);
    }

    private static void describe(JsonNode node, String indent, List<String> lines) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                JsonNode value = entry.getValue();
                if (value.isValueNode()) {
                    lines.add(indent + entry.getKey() + ": " + scalar(value));
                } else if (value.isEmpty()) {
                    lines.add(indent + entry.getKey() + ": " + (value.isArray() ? "[]" : "{}"));
                } else {
                    lines.add(indent + entry.getKey() + ":");
                    describe(value, indent + "  ", lines);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (element.isValueNode()) {
                    lines.add(indent + "- " + scalar(element));
                } else {
                    List<String> sub = new ArrayList<>();
                    describe(element, indent + "  ", sub);
                    if (!sub.isEmpty()) {
                        sub.set(0, indent + "- " + sub.get(0).substring(indent.length() + 2));
                    }
                    lines.addAll(sub);
                }
            }
        } else if (!node.isMissingNode()) {
            lines.add(indent + scalar(node));
        }
    }

    private static String scalar(JsonNode value) {
        return value.isNull() ? NONE : value.asText();
    }

    /** Builds the ordered label -> value map for {@link #fields}. */
    public static Map<String, String> fieldMap() {
        return new LinkedHashMap<>();
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String value = cell(cells.get(i));
            line.append(i == cells.size() - 1 ? value : pad(value, widths[i]) + "  ");
        }
        return line.toString().stripTrailing();
    }

    private static String cell(String value) {
        return value == null || value.isEmpty() ? NONE : value.replace('\n', ' ');
    }

    private static String pad(String value, int width) {
        return value.length() >= width ? value : value + " ".repeat(width - value.length());
    }
}
