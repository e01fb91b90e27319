using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps;

/// <summary>Field lists page newest first by id (UUIDv7): the cursor is the last id of the page, opaque to the client.</summary>
internal static class FieldOpsCursor
{
    public static Result<Guid?> Read(string? cursor)
    {
        if (cursor is null)
        {
            return (Guid?)null;
        }

        return Cursor.TryDecode(cursor, 64, out var key) && Guid.TryParse(key, out var id)
            ? (Guid?)id
            : Problem.Validation("cursor", Cursor.NotOurs);
    }

    public static string? Next<T>(IReadOnlyList<T> rows, int limit, Func<T, Guid> id) =>
        rows.Count > limit ? Cursor.Encode(id(rows[limit - 1]).ToString()) : null;
}
