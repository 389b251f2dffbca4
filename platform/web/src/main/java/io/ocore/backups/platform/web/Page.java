package io.ocore.backups.platform.web;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list endpoint: {@code {"items": [...], "nextCursor": "..."}}. Pass
 * {@code nextCursor} back as {@code ?cursor=} for the next page; null on the last page.
 */
public record Page<T>(List<T> items, String nextCursor) {

    /**
     * The page of a keyset query that fetched {@code limit + 1} rows: the extra row only says
     * that another page exists, and the cursor points after the last row kept.
     */
    public static <T> Page<T> of(List<T> rows, int limit, Function<T, Cursor> cursorOf) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<T> page = rows.subList(0, limit);
        return new Page<>(page, cursorOf.apply(page.get(limit - 1)).encode());
    }

    /** The same page with its items mapped (entities to their API views). */
    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), nextCursor);
    }
}
