namespace StreamFlow.Core.Tasks;

/// <summary>
/// A named follow-up a business keeps at hand (an industry template brings some): a title, a priority and how many
/// business minutes after creation it is due. A workflow's createTask step may name one as <c>taskTemplate</c>.
/// </summary>
public sealed record TaskTemplate(string Key, string Title, string Priority, int? DueInBusinessMinutes);

/// <summary>The task templates of a business, by key.</summary>
public sealed record TaskTemplateList(TaskTemplate[] Items);
