namespace StreamFlow.Core.Settings;

/// <summary>
/// A typed attribute of a record (entity <c>lead</c>): its key in <c>attributes</c>, a label, a type (text, number,
/// money, date, choice, multiChoice, boolean), whether every record must have it, and the options of a choice.
/// </summary>
public sealed record CustomField(Guid Id, string Entity, string Key, string Label, string Type, bool Required, string[] Options, string CreatedBy, DateTimeOffset CreatedAt);

public sealed record CustomFieldInput(string? Entity, string? Key, string? Label, string? Type, bool? Required, string[]? Options);

public sealed record CustomFieldList(IReadOnlyList<CustomField> Items);
