using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy.Detection;
using StreamFlow.Core.Privacy.SubjectRequests;

namespace StreamFlow.Core.Privacy.Exports;

/// <summary>An export's bytes, type and file name.</summary>
public sealed record LeadExportFile(byte[] Content, string ContentType, string FileName);

/// <summary>
/// The business's live leads as CSV or JSON. A caller whose role (and key) lacks <see cref="Permission.PersonalDataRead"/>
/// gets the personal fields masked (email, phone, postal code) and the free text (notes, attribute values) masked by the
/// one <see cref="PersonalDataDetector"/>. Every export is audited (privacy.leads.exported: rows, format, masked), which is
/// how the compliance evidence answers "who exported personal data".
/// </summary>
public sealed class LeadExportService(LeadService leads, AuditLog audit)
{
    public const int MaxRows = 50_000;
    private const int PageSize = 500;
    private static readonly string[] Columns =
        ["id", "firstName", "lastName", "company", "email", "phone", "source", "externalId", "postalCode", "city", "state", "country",
         "stage", "outcome", "scoreValue", "scoreTier", "notes", "attributes", "createdAt", "updatedAt"];

    public async Task<Result<LeadExportFile>> ExportAsync(ClientPrincipal caller, RequestOrigin origin, string? format, CancellationToken cancellationToken)
    {
        if (format is not ("csv" or "json"))
        {
            return Problem.Validation("format", "must be csv or json.");
        }

        var rows = new List<JsonObject>();
        var masked = !caller.Allows(Permission.PersonalDataRead);
        var filter = new LeadFilter(null, null, null, null, null, null, null, null, IncludeDeleted: false);
        string? cursor = null;
        do
        {
            var page = await leads.ListAsync(caller.TenantId, filter, PageSize, cursor, cancellationToken);
            if (rows.Count + page.Items.Count > MaxRows)
            {
                return new Problem(ProblemKind.Unprocessable, $"More than {MaxRows:N0} leads: an export holds at most that many.");
            }

            rows.AddRange(page.Items.Select(lead => Row(lead, masked)));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        await audit.RecordAsync(new AuditEvent(AuditSystem.Client, caller.TenantId, caller.Actor, "privacy.leads.exported", "leads",
            AuditOutcome.Succeeded, origin, new JsonObject { ["format"] = format, ["rows"] = rows.Count, ["masked"] = masked }), cancellationToken);
        return format == "json"
            ? new LeadExportFile(Encoding.UTF8.GetBytes(new JsonObject { ["masked"] = masked, ["items"] = new JsonArray([.. rows]) }.ToJsonString()),
                "application/json", "leads.json")
            : new LeadExportFile(Encoding.UTF8.GetBytes(Csv(rows)), "text/csv", "leads.csv");
    }

    private static JsonObject Row(Lead lead, bool masked) => new()
    {
        ["id"] = lead.Id,
        ["firstName"] = lead.FirstName,
        ["lastName"] = lead.LastName,
        ["company"] = lead.Company,
        ["email"] = masked && lead.Email is not null ? PersonalDataDetector.EmailPlaceholder : lead.Email,
        ["phone"] = masked && lead.Phone is not null ? PersonalDataDetector.PhonePlaceholder : lead.Phone,
        ["source"] = lead.Source,
        ["externalId"] = lead.ExternalId,
        ["postalCode"] = masked && lead.PostalCode is not null ? PersonalDataDetector.AddressPlaceholder : lead.PostalCode,
        ["city"] = lead.City,
        ["state"] = lead.State,
        ["country"] = lead.Country,
        ["stage"] = lead.Stage,
        ["outcome"] = lead.Outcome?.Status,
        ["scoreValue"] = lead.Score?.Value,
        ["scoreTier"] = lead.Score?.Tier,
        ["notes"] = masked && lead.Notes is not null ? PersonalDataDetector.Mask(lead.Notes) : lead.Notes,
        ["attributes"] = Attributes(lead.Attributes, masked),
        ["createdAt"] = lead.CreatedAt,
        ["updatedAt"] = lead.UpdatedAt,
    };

    /// <summary>The attributes with every string value masked (nested ones too); numbers, booleans and names as they are.</summary>
    private static JsonNode? Attributes(JsonElement attributes, bool masked)
    {
        var node = JsonNode.Parse(attributes.GetRawText());
        return masked ? MaskStrings(node) : node;
    }

    private static JsonNode? MaskStrings(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, MaskStrings(p.Value?.DeepClone())))),
        JsonArray a => new JsonArray([.. a.Select(v => MaskStrings(v?.DeepClone()))]),
        JsonValue v when v.TryGetValue<string>(out var text) => JsonValue.Create(PersonalDataDetector.Mask(text)),
        _ => node,
    };

    private static string Csv(List<JsonObject> rows)
    {
        var csv = new StringBuilder(string.Join(',', Columns)).Append("\r\n");
        foreach (var row in rows)
        {
            csv.AppendJoin(',', Columns.Select(column => SubjectExportDocument.Field(row[column] switch
            {
                null => null,
                JsonValue scalar when scalar.TryGetValue<string>(out var text) => text,
                JsonValue scalar => scalar.ToJsonString().Trim('"'),
                var other => other.ToJsonString(),
            }))).Append("\r\n");
        }

        return csv.ToString();
    }
}
