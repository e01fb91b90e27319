using System.Collections.Concurrent;
using System.Data;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;

namespace StreamFlow.Core.Database;

/// <summary>
/// A statement held back by a batched scope. Several are sent as one command: each statement's parameters are renamed
/// (<c>@Id</c> of the third becomes <c>@s2_Id</c>) so that statements written on their own never collide. A held-back
/// read has a <see cref="Reader"/> for its result set and <see cref="Failed"/> to hear that its round trip failed.
/// </summary>
internal sealed partial record PendingStatement(
    string Sql, object? Parameters, int ResultSets, Func<SqlMapper.GridReader, Task>? Reader = null, Func<Exception, bool>? Failed = null)
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    public static (string Sql, DynamicParameters Parameters) Combine(IReadOnlyList<PendingStatement> statements)
    {
        var parameters = new DynamicParameters();
        var sql = new StringBuilder();
        for (var i = 0; i < statements.Count; i++)
        {
            var values = Values(statements[i].Parameters);
            var prefix = $"s{i}_";
            var text = values.Count == 0
                ? statements[i].Sql
                : ParameterReference().Replace(statements[i].Sql, match => values.ContainsKey(match.Groups[1].Value) ? "@" + prefix + match.Groups[1].Value : match.Value);
            foreach (var (name, (value, type)) in values)
            {
                parameters.Add(prefix + name, value, value is null ? NullType(type) : null);
            }

            sql.Append(text.TrimEnd().TrimEnd(';')).Append(";\n");
        }

        return (sql.ToString(), parameters);
    }

    private static Dictionary<string, (object? Value, Type Type)> Values(object? parameters)
    {
        var values = new Dictionary<string, (object?, Type)>(StringComparer.OrdinalIgnoreCase);
        switch (parameters)
        {
            case null:
                break;
            case DynamicParameters dynamic:
                foreach (var name in dynamic.ParameterNames)
                {
                    var value = dynamic.Get<object?>(name);
                    values[name] = (value, value?.GetType() ?? typeof(object));
                }

                break;
            default:
                foreach (var property in Properties.GetOrAdd(parameters.GetType(), type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)))
                {
                    values[property.Name] = (property.GetValue(parameters), property.PropertyType);
                }

                break;
        }

        return values;
    }

    // A null has no type of its own: say which, as Dapper does from the property, so "@X IS NULL" still plans.
    private static DbType? NullType(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => DbType.String,
        var t when t == typeof(Guid) => DbType.Guid,
        var t when t == typeof(DateTimeOffset) => DbType.DateTimeOffset,
        var t when t == typeof(DateTime) => DbType.DateTime,
        var t when t == typeof(DateOnly) => DbType.Date,
        var t when t == typeof(int) => DbType.Int32,
        var t when t == typeof(long) => DbType.Int64,
        var t when t == typeof(double) => DbType.Double,
        var t when t == typeof(decimal) => DbType.Decimal,
        var t when t == typeof(bool) => DbType.Boolean,
        _ => null,
    };

    [GeneratedRegex(@"(?<![\w@:])@(\w+)")]
    private static partial Regex ParameterReference();
}
