using System.Text.Json;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Leads;

/// <summary>
/// Checks a lead's <c>attributes</c> into <paramref name="errors"/> (as <c>attributes.&lt;key&gt;</c>).
/// <paramref name="complete"/>: the attributes are the whole record (a create, an import row), so a required attribute
/// that is absent is an error.
/// </summary>
public delegate void LeadAttributeCheck(IReadOnlyDictionary<string, JsonElement>? attributes, bool complete, ValidationErrors errors);

/// <summary>The business's own rules for a lead's <c>attributes</c> (its custom fields, issue #16), read in the write's transaction.</summary>
public interface ILeadAttributeRules
{
    /// <summary>The check for the tenant of <paramref name="scope"/>, or null when it has no rules (nothing to check).</summary>
    Task<LeadAttributeCheck?> RulesAsync(DbTransactionScope scope);

    /// <summary>The same read riding with the scope's next round trip (<see cref="DbTransactionScope.QueryLaterAsync{T}"/>): await it after that.</summary>
    Task<LeadAttributeCheck?> RulesLaterAsync(DbTransactionScope scope);
}
