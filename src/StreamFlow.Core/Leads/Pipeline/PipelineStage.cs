namespace StreamFlow.Core.Leads.Pipeline;

public static class StageKind
{
    public const string Open = "open";
    public const string Won = "won";
    public const string Lost = "lost";
}

public sealed record PipelineStage(string Key, string Name, int Position, string Kind);

/// <summary>The stages a new client business starts with, by industry; the tenant edits them afterwards.</summary>
public static class DefaultPipelines
{
    private static readonly Dictionary<string, (string Key, string Name)[]> OpenStages = new()
    {
        ["hvac"] = [("new", "New"), ("contacted", "Contacted"), ("site_visit", "Site visit"), ("quote_sent", "Quote sent"), ("negotiation", "Negotiation")],
        ["plumbing"] = [("new", "New"), ("contacted", "Contacted"), ("estimate_scheduled", "Estimate scheduled"), ("estimate_sent", "Estimate sent")],
        ["electrical"] = [("new", "New"), ("contacted", "Contacted"), ("site_assessment", "Site assessment"), ("proposal_sent", "Proposal sent")],
        ["roofing"] = [("new", "New"), ("contacted", "Contacted"), ("inspection", "Inspection"), ("estimate_sent", "Estimate sent"), ("insurance_review", "Insurance review")],
        ["landscaping"] = [("new", "New"), ("contacted", "Contacted"), ("site_walk", "Site walk"), ("design_proposal", "Design proposal")],
        ["government_contracting"] = [("identified", "Opportunity identified"), ("qualified", "Qualified"), ("capture", "Capture"), ("proposal_in_progress", "Proposal in progress"), ("submitted", "Submitted")],
        ["general"] = [("new", "New"), ("contacted", "Contacted"), ("qualified", "Qualified"), ("proposal", "Proposal")],
    };

    public static IReadOnlyList<PipelineStage> For(string industry)
    {
        var open = OpenStages.GetValueOrDefault(industry) ?? OpenStages["general"];
        var (won, lost) = industry == "government_contracting" ? ("Awarded", "Not awarded") : ("Won", "Lost");
        return [.. open.Select((stage, i) => new PipelineStage(stage.Key, stage.Name, i + 1, StageKind.Open)),
            new PipelineStage("won", won, open.Length + 1, StageKind.Won),
            new PipelineStage("lost", lost, open.Length + 2, StageKind.Lost)];
    }
}
