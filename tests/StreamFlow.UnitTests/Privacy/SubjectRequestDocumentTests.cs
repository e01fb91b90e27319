using System.Text;
using System.Text.Json.Nodes;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy.SubjectRequests;

namespace StreamFlow.UnitTests.Privacy;

public sealed class SubjectRequestDocumentTests
{
    [Theory]
    [InlineData(" Dana@Example.COM ", null)]
    [InlineData(null, "+1 (512) 555-0142")]
    [InlineData(null, "512.555.0142")]
    [InlineData(null, "call me")]
    [InlineData(null, "12345")]
    public void A_person_is_normalised_exactly_as_leads_are_so_the_blind_indexes_match(string? email, string? phone)
    {
        Assert.Equal(LeadValidation.NormalizeEmail(email), SubjectIdentifiers.NormalizeEmail(email));
        Assert.Equal(LeadValidation.NormalizePhone(phone), SubjectIdentifiers.NormalizePhone(phone));
    }

    [Fact]
    public void The_csv_quotes_separators_and_defuses_spreadsheet_formulas()
    {
        var leadId = Guid.NewGuid();
        var lead = new JsonObject { ["id"] = leadId.ToString(), ["first_name"] = "=HYPERLINK(\"x\")", ["notes"] = "a, \"b\"\nc", ["activities"] = new JsonArray() };
        var document = SubjectExportDocument.Build(Guid.NewGuid(), "email", DateTimeOffset.UnixEpoch, [lead], new Dictionary<string, IReadOnlyList<SubjectRecordRow>>());

        var csv = Encoding.UTF8.GetString(SubjectExportDocument.ToCsv(document));

        Assert.Contains($"lead,{leadId},{leadId},first_name,\"'=HYPERLINK(\"\"x\"\")\"\r\n", csv, StringComparison.Ordinal);
        Assert.Contains($"lead,{leadId},{leadId},notes,\"a, \"\"b\"\"\nc\"\r\n", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pseudonym_is_the_same_for_one_request_and_names_nobody()
    {
        var request = Guid.CreateVersion7();

        Assert.Equal(SubjectRequestService.Pseudonym(request), SubjectRequestService.Pseudonym(request));
        Assert.NotEqual(SubjectRequestService.Pseudonym(request), SubjectRequestService.Pseudonym(Guid.CreateVersion7()));
        Assert.StartsWith("Erased person ", SubjectRequestService.Pseudonym(request), StringComparison.Ordinal);
    }
}
