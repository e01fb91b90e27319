using System.Text;
using System.Text.Json;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Kernel;

namespace StreamFlow.UnitTests.Leads.Import;

public sealed class LeadCsvReaderTests
{
    private static readonly LeadCsvImportOptions Options = new() { ExternalIdColumn = "id" };
    private static readonly LeadCsvImportOptions WithOutcome = Options with { OutcomeColumn = "converted" };

    private static Task<Result<LeadCsvImport>> Read(string csv, LeadCsvImportOptions? options = null) =>
        Read(Encoding.UTF8.GetBytes(csv), options);

    private static async Task<Result<LeadCsvImport>> Read(byte[] csv, LeadCsvImportOptions? options = null)
    {
        using var stream = new MemoryStream(csv);
        return await new LeadCsvReader().ReadAsync(stream, options ?? Options, CancellationToken.None);
    }

    private static async Task<LeadCsvImport> ReadGood(string csv, LeadCsvImportOptions? options = null)
    {
        var result = await Read(csv, options);
        Assert.True(result.Succeeded, result.Problem?.ToString());
        return result.Value;
    }

    [Fact]
    public async Task Known_headers_map_onto_lead_fields_ignoring_case_and_spaces()
    {
        var import = await ReadGood(
            "ID,First Name,last_name,COMPANY,E-mail,Phone Number,Lead Source,Notes,ZIP,State,City,Country\n" +
            "a1,Ada,Lovelace,Analytical Engines,ada@example.com,(555) 010-2030,Referral,Call after 5,02139,MA,Cambridge,US\n");

        var lead = Assert.Single(import.Leads);
        Assert.Equal(
            ("a1", "Ada", "Lovelace", "Analytical Engines", "ada@example.com", "(555) 010-2030", "Referral", "Call after 5", "02139", "MA", "Cambridge", "US"),
            (lead.ExternalId, lead.FirstName, lead.LastName, lead.Company, lead.Email, lead.Phone, lead.Source, lead.Notes, lead.PostalCode, lead.State, lead.City, lead.Country));
        Assert.Empty(lead.Attributes);
    }

    [Fact]
    public async Task Other_columns_become_attributes_typed_from_the_whole_column()
    {
        var import = await ReadGood(
            "id,Visits,Opted In,First Contact,Budget,Segment\n" +
            "a,0,Yes,2026-01-31,\"1,200\",Homeowner\n" +
            "b,5,no,2/1/2026,950.5,42\n" +
            "c,,,,,\n");

        var first = import.Leads[0].Attributes;
        Assert.Equal(AttributeValue.FromNumber(0), first["Visits"]);
        Assert.Equal(AttributeValue.FromBoolean(true), first["Opted In"]);
        Assert.Equal(AttributeValue.FromDate(new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero)), first["First Contact"]);
        Assert.Equal(AttributeValue.FromNumber(1200), first["Budget"]);
        Assert.Equal(AttributeValue.FromText("42"), import.Leads[1].Attributes["Segment"]);
        Assert.Empty(import.Leads[2].Attributes);
        Assert.Equal(
            [AttributeKind.Number, AttributeKind.Boolean, AttributeKind.Date, AttributeKind.Number, AttributeKind.Text],
            import.Columns.Skip(1).Select(c => c.Kind!.Value));
    }

    [Fact]
    public async Task Import_keeps_good_rows_and_reports_bad_rows()
    {
        var import = await ReadGood(
            "id,email,phone,converted\n" +
            "a,a@example.com,555-010-2030,1\n" +
            "b,not-an-email,555-010-2031,0\n" +
            "c,c@example.com,12,yes\n" +
            "d,d@example.com,555-010-2033,maybe\n" +
            "e,e@example.com\n" +
            "f,f@example.com,555-010-2035,lost\n",
            WithOutcome);

        Assert.Equal(["a", "f"], import.Leads.Select(l => l.ExternalId));
        Assert.Equal([2, 3, 4, 5], import.Errors.Select(e => e.Row));
        Assert.Contains("not a valid email", import.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("not a valid phone", import.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("not an outcome", import.Errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("2 fields but the header has 4", import.Errors[3].Message, StringComparison.Ordinal);
        Assert.Equal(6, import.TotalRows);
    }

    [Fact]
    public async Task Stray_quotes_are_reported_and_the_next_rows_are_kept()
    {
        var import = await ReadGood("id,name\na,Ann\nb,Bo\"b\nc,\"Cy\"x\nd,Di\n");

        Assert.Equal(["a", "d"], import.Leads.Select(l => l.ExternalId));
        Assert.Equal([(2, true), (3, true)], import.Errors.Select(e => (e.Row, e.Message.Contains("quote", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A_quote_that_is_never_closed_loses_only_its_own_row()
    {
        var import = await ReadGood("id,name,notes\na,Ann,ok\nb,Bob,\"never closed\nc,Cy,fine\nd,Di,ok\n");

        Assert.Equal(["a", "c", "d"], import.Leads.Select(l => l.ExternalId));
        var error = Assert.Single(import.Errors);
        Assert.Equal(2, error.Row);
        Assert.Contains("never closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stray_opening_quote_that_swallows_lines_loses_only_its_own_row()
    {
        var import = await ReadGood("id,name,notes\na,Ann,ok\nb,Bob,\"oops\nc,Cy,fine\nd,Di,\"two\nlines\"\n");

        Assert.Equal(["a", "c", "d"], import.Leads.Select(l => l.ExternalId));
        Assert.Equal([1, 3, 4], import.Leads.Select(l => l.Row));
        Assert.Equal(2, Assert.Single(import.Errors).Row);
        Assert.Equal("two\nlines", import.Leads[2].Notes);
    }

    [Fact]
    public async Task Invalid_utf8_bytes_reject_the_row()
    {
        var csv = Encoding.UTF8.GetBytes("id,name\na,Ann\nb,B").Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat(Encoding.UTF8.GetBytes("\nc,Zoë\n")).ToArray();

        var result = await Read(csv);

        Assert.Equal(["Ann", "Zoë"], result.Value!.Leads.Select(l => l.FullName));
        var error = Assert.Single(result.Value.Errors);
        Assert.Equal((2, "'name' contains bytes that are not valid UTF-8."), (error.Row, error.Message));
    }

    [Fact]
    public async Task Fields_over_the_length_limit_reject_the_row()
    {
        var import = await ReadGood($"id,notes\na,{new string('x', 1_001)}\nb,{new string('y', 1_000)}\n");

        Assert.Equal("b", Assert.Single(import.Leads).ExternalId);
        Assert.Equal(new ImportRowError(1, "'notes' is longer than 1,000 characters."), Assert.Single(import.Errors));
    }

    [Theory]
    [InlineData("1", ImportedOutcome.Won)]
    [InlineData("Yes", ImportedOutcome.Won)]
    [InlineData("TRUE", ImportedOutcome.Won)]
    [InlineData("won", ImportedOutcome.Won)]
    [InlineData("Converted", ImportedOutcome.Won)]
    [InlineData("0", ImportedOutcome.Lost)]
    [InlineData("no", ImportedOutcome.Lost)]
    [InlineData("false", ImportedOutcome.Lost)]
    [InlineData("Lost", ImportedOutcome.Lost)]
    public async Task Outcome_values_are_read_in_their_common_spellings(string value, ImportedOutcome expected)
    {
        var import = await ReadGood($"id,converted\na,{value}\n", WithOutcome);

        Assert.Equal(expected, Assert.Single(import.Leads).Outcome);
    }

    [Fact]
    public async Task An_empty_outcome_is_unknown_not_an_error()
    {
        var import = await ReadGood("id,converted\na,\n", WithOutcome);

        Assert.Null(Assert.Single(import.Leads).Outcome);
    }

    [Fact]
    public async Task A_repeated_external_id_keeps_the_first_row()
    {
        var import = await ReadGood("id,name\na,Ann\nb,Bob\na,Again\n");

        Assert.Equal(["Ann", "Bob"], import.Leads.Select(l => l.FullName));
        Assert.Equal(new ImportRowError(3, "'id' repeats the external id of row 1; the row was not imported."), Assert.Single(import.Errors));
    }

    [Fact]
    public async Task A_named_column_missing_from_the_header_is_a_validation_problem()
    {
        var result = await Read("name\nAnn\n", new LeadCsvImportOptions { ExternalIdColumn = "Prospect ID" });

        Assert.Equal(ProblemKind.Validation, result.Problem!.Kind);
        Assert.Contains("externalIdColumn", result.Problem.Errors!.Keys);
    }

    [Fact]
    public async Task An_empty_file_is_a_validation_problem()
    {
        var result = await Read("");

        Assert.Equal(ProblemKind.Validation, result.Problem!.Kind);
    }

    [Fact]
    public async Task More_rows_than_the_limit_is_payload_too_large()
    {
        var result = await Read("name\nA\nB\nC\n", new LeadCsvImportOptions { MaxRows = 2 });

        Assert.Equal(ProblemKind.PayloadTooLarge, result.Problem!.Kind);
    }

    [Fact]
    public async Task More_bytes_than_the_limit_is_payload_too_large()
    {
        var csv = "name\n" + string.Concat(Enumerable.Repeat("Someone\n", 20_000));

        var result = await Read(csv, new LeadCsvImportOptions { MaxBytes = 64 * 1024 });

        Assert.Equal(ProblemKind.PayloadTooLarge, result.Problem!.Kind);
    }

    [Fact]
    public async Task Leads_come_in_chunks_in_file_order()
    {
        var import = await ReadGood("name\n" + string.Concat(Enumerable.Range(1, 7).Select(i => $"Lead {i}\n")), new LeadCsvImportOptions());

        var chunks = import.Chunks(3).ToList();

        Assert.Equal([3, 3, 1], chunks.Select(c => c.Leads.Count));
        Assert.Equal([0, 1, 2], chunks.Select(c => c.Index));
        Assert.Equal("Lead 7", chunks[2].Leads[0].FullName);
    }

    [Fact]
    public async Task A_byte_order_mark_does_not_become_part_of_the_first_header()
    {
        var import = await ReadGood("\uFEFFid,name\na,Ann\n");

        Assert.Equal("a", Assert.Single(import.Leads).ExternalId);
    }

    [Fact]
    public void Attribute_values_round_trip_through_the_api_json()
    {
        AttributeValue[] values =
        [
            AttributeValue.FromNumber(1520.5m), AttributeValue.FromBoolean(false), AttributeValue.FromText("Reference"),
            AttributeValue.FromDate(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)),
        ];

        var json = JsonSerializer.Serialize(values, StreamFlowJson.Options);

        Assert.Equal(values, JsonSerializer.Deserialize<AttributeValue[]>(json, StreamFlowJson.Options));
        Assert.StartsWith("[{\"kind\":\"number\",\"number\":1520.5}", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_training_file_reads_without_errors()
    {
        await using var file = File.OpenRead(Path.Combine(RepositoryPaths.Root, "data", "leads", "train.csv"));

        var result = await new LeadCsvReader().ReadAsync(
            file, new LeadCsvImportOptions { ExternalIdColumn = "Prospect ID", OutcomeColumn = "Converted" }, CancellationToken.None);

        var import = result.Value!;
        Assert.Empty(import.Errors);
        Assert.Equal(6_547, import.Leads.Count);
        Assert.Equal(2_487, import.Leads.Count(l => l.Outcome == ImportedOutcome.Won));
        Assert.Equal("Olark Chat", import.Leads[0].Source);
        Assert.Equal(AttributeKind.Number, import.Columns.Single(c => c.Header == "Total Time Spent on Website").Kind);
        Assert.Equal(AttributeKind.Boolean, import.Columns.Single(c => c.Header == "Do Not Email").Kind);
        Assert.Equal(AttributeKind.Text, import.Columns.Single(c => c.Header == "Last Activity").Kind);
    }
}
