using System.Globalization;
using System.Text;
using Dapper;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Billing;

[Collection(ServicesCollection.Name)]
public sealed class ProviderInvoiceTests(TestServices services)
{
    private static readonly DateTimeOffset Now = new(2018, 6, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly SeedLine[] Hundred = [new(InvoiceLineType.BaseFee, 100m)];

    [Fact]
    public async Task Provider_list_spans_clients_and_filters_by_tenant_status_period_and_overdue()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var a = await bed.CreateTenantAsync();
        var b = await bed.CreateTenantAsync();
        var overdue = await bed.AddInvoiceAsync(a.Id, new DateOnly(2018, 4, 1), InvoiceStatus.Open, Hundred, dueAt: Now.AddDays(-1));
        var notYetDue = await bed.AddInvoiceAsync(a.Id, new DateOnly(2018, 5, 1), InvoiceStatus.Open, Hundred, dueAt: Now.AddDays(1));
        var paid = await bed.AddInvoiceAsync(b.Id, new DateOnly(2018, 4, 1), InvoiceStatus.Paid, Hundred);
        var draft = await bed.AddInvoiceAsync(b.Id, new DateOnly(2018, 6, 1), InvoiceStatus.Draft, Hundred);
        var service = bed.Get<ProviderInvoiceService>();
        async Task<List<Guid>> Ids(ProviderInvoiceQuery query) =>
            (await service.ListAsync(query, 50, null, CancellationToken.None)).Value!.Items
                .Where(i => i.TenantId == a.Id || i.TenantId == b.Id).Select(i => i.Id).ToList();

        var inPeriods = await Ids(new ProviderInvoiceQuery(null, null, new DateOnly(2018, 4, 1), new DateOnly(2018, 6, 1), false));
        Assert.Equal([draft.Id, notYetDue.Id], inPeriods[..2]);
        Assert.Equal(new[] { overdue.Id, paid.Id }.Order(), inPeriods[2..].Order());
        Assert.Equal([notYetDue.Id, overdue.Id], await Ids(new ProviderInvoiceQuery(a.Id, null, null, null, false)));
        Assert.Equal([paid.Id], await Ids(new ProviderInvoiceQuery(null, InvoiceStatus.Paid, new DateOnly(2018, 4, 1), new DateOnly(2018, 4, 1), false)));
        Assert.Equal([overdue.Id], await Ids(new ProviderInvoiceQuery(null, null, new DateOnly(2018, 1, 1), new DateOnly(2018, 12, 31), true)));
    }

    [Fact]
    public async Task Provider_list_row_names_the_client_and_what_is_due()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var a = await bed.CreateTenantAsync();
        var seeded = await bed.AddInvoiceAsync(a.Id, new DateOnly(2018, 3, 1), InvoiceStatus.Open, Hundred, dueAt: Now.AddDays(-3), creditedTotal: 10m);

        var page = await bed.Get<ProviderInvoiceService>().ListAsync(new ProviderInvoiceQuery(a.Id, null, null, null, false), 50, null, CancellationToken.None);

        var invoice = Assert.Single(page.Value!.Items);
        Assert.Equal((seeded.Id, a.Name, a.Slug, seeded.Number, true), (invoice.Id, invoice.TenantName, invoice.TenantSlug, invoice.Number, invoice.Overdue));
        Assert.Equal((new Money("110.00", "USD"), new Money("100.00", "USD")), (invoice.Total, invoice.AmountDue));
    }

    [Fact]
    public async Task Provider_list_pages_with_its_cursor_without_repeating_or_skipping()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var a = await bed.CreateTenantAsync();
        for (var month = 1; month <= 5; month++)
        {
            await bed.AddInvoiceAsync(a.Id, new DateOnly(2017, month, 1), InvoiceStatus.Paid, Hundred);
        }

        var service = bed.Get<ProviderInvoiceService>();
        var query = new ProviderInvoiceQuery(a.Id, null, null, null, false);
        var seen = new List<DateOnly>();
        string? cursor = null;
        do
        {
            var page = (await service.ListAsync(query, 2, cursor, CancellationToken.None)).Value!;
            seen.AddRange(page.Items.Select(i => i.PeriodStart));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(1, 5).Reverse().Select(m => new DateOnly(2017, m, 1)), seen);
    }

    [Fact]
    public async Task Tenant_invoice_list_includes_drafts_with_lines_and_is_404_for_an_unknown_tenant()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var a = await bed.CreateTenantAsync();
        var draft = await bed.AddInvoiceAsync(a.Id, new DateOnly(2018, 6, 1), InvoiceStatus.Draft, [new(InvoiceLineType.BaseFee, 100m), new(InvoiceLineType.Seats, 30m, 3m)]);
        var service = bed.Get<ProviderInvoiceService>();

        var page = await service.ListForTenantAsync(a.Id, null, 50, null, CancellationToken.None);
        var unknown = await service.ListForTenantAsync(Guid.NewGuid(), null, 50, null, CancellationToken.None);

        var invoice = Assert.Single(page.Value!.Items);
        Assert.Equal((draft.Id, 2), (invoice.Id, invoice.Lines.Count));
        Assert.Equal(StreamFlow.Core.Kernel.ProblemKind.NotFound, unknown.Problem!.Kind);
    }

    [Fact]
    public async Task Export_of_invoices_has_one_row_per_finalized_invoice_issued_in_the_range()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var a = await bed.CreateTenantAsync("Export, \"Quoted\" Heating");
        var first = await bed.AddInvoiceAsync(a.Id, new DateOnly(2013, 1, 1), InvoiceStatus.Paid,
            [new(InvoiceLineType.BaseFee, 100m), new(InvoiceLineType.Discount, 10m)], issuedAt: new DateTimeOffset(2013, 2, 1, 8, 0, 0, TimeSpan.Zero));
        var second = await bed.AddInvoiceAsync(a.Id, new DateOnly(2013, 2, 1), InvoiceStatus.Open, Hundred, issuedAt: new DateTimeOffset(2013, 3, 1, 8, 0, 0, TimeSpan.Zero));
        await bed.AddInvoiceAsync(a.Id, new DateOnly(2013, 3, 1), InvoiceStatus.Open, Hundred, issuedAt: new DateTimeOffset(2013, 4, 1, 8, 0, 0, TimeSpan.Zero));
        await bed.AddInvoiceAsync(a.Id, new DateOnly(2013, 4, 1), InvoiceStatus.Draft, Hundred);

        var rows = await ExportAsync(bed, "2013-02-01", "2013-03-31", "invoices");

        Assert.Equal([first.Number, second.Number], rows.Select(r => r["invoice_number"]));
        Assert.All(rows, r => Assert.Equal((a.Name, a.Slug, a.Id.ToString()), (r["client_name"], r["client_slug"], r["client_id"])));
        // 100 - 10 discount + 9 tax
        Assert.Equal(("paid", "100.00", "10.00", "99.00", "0.00", "2013-02-01T08:00:00Z"),
            (rows[0]["status"], rows[0]["subtotal"], rows[0]["discount_total"], rows[0]["total"], rows[0]["amount_due"], rows[0]["issued_at"]));
    }

    [Fact]
    public async Task Export_of_lines_has_one_row_per_line_and_neutralizes_formulas()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var a = await bed.CreateTenantAsync("=HYPERLINK(\"http://evil\")");
        var invoice = await bed.AddInvoiceAsync(a.Id, new DateOnly(2012, 1, 1), InvoiceStatus.Paid,
            [new(InvoiceLineType.BaseFee, 100m, Description: "Base, monthly"), new(InvoiceLineType.Seats, 30m, 3m), new(InvoiceLineType.Discount, 13m)],
            issuedAt: new DateTimeOffset(2012, 2, 1, 0, 0, 0, TimeSpan.Zero));

        var rows = await ExportAsync(bed, "2012-02-01", "2012-02-01", "lines");

        Assert.Equal(["1", "2", "3"], rows.Select(r => r["position"]));
        Assert.All(rows, r => Assert.Equal(invoice.Number, r["invoice_number"]));
        Assert.Equal(["100.00", "30.00", "-13.00"], rows.Select(r => r["amount"]));
        Assert.Equal(("Base, monthly", "3", "10.00"), (rows[0]["description"], rows[1]["quantity"], rows[1]["unit_amount"]));
        Assert.Equal("'" + a.Name, rows[0]["client_name"]);
    }

    [Fact]
    public void Export_needs_a_range_and_a_known_kind()
    {
        using var bed = new InvoiceSeedBed(services, Now);

        var result = bed.Get<ProviderInvoiceService>().PrepareExport(null, new DateOnly(2018, 1, 1), "everything");

        Assert.Equal(["from", "kind"], result.Problem!.Errors!.Keys.Order());
    }

    [Fact]
    public async Task The_app_role_still_sees_no_invoice_without_a_tenant()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var a = await bed.CreateTenantAsync();
        await bed.AddInvoiceAsync(a.Id, new DateOnly(2018, 1, 1), InvoiceStatus.Open, Hundred);

        var visible = await bed.Database.InPlatformAsync(scope => scope.Connection.ExecuteScalarAsync<long>(scope.Command(
            "SELECT (SELECT count(*) FROM invoices) + (SELECT count(*) FROM invoice_lines) + (SELECT count(*) FROM tenant_pricing) + (SELECT count(*) FROM users) + (SELECT count(*) FROM leads)")),
            CancellationToken.None);

        Assert.Equal(0, visible);
    }

    private static async Task<List<Dictionary<string, string>>> ExportAsync(InvoiceSeedBed bed, string from, string to, string kind)
    {
        var export = bed.Get<ProviderInvoiceService>().PrepareExport(DateOnly.Parse(from, CultureInfo.InvariantCulture), DateOnly.Parse(to, CultureInfo.InvariantCulture), kind);
        using var output = new MemoryStream();
        await export.Value!.WriteAsync(output, CancellationToken.None);
        return CsvRows.Parse(Encoding.UTF8.GetString(output.ToArray()));
    }
}

/// <summary>Reads RFC 4180 text back (CRLF rows, quoted fields with doubled quotes) into header-keyed rows.</summary>
internal static class CsvRows
{
    public static List<Dictionary<string, string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.False(quoted, "a quoted field is never closed");
        Assert.True(field.Length == 0 && record.Count == 0, "the last row does not end with CRLF");
        var header = records[0];
        Assert.All(records, r => Assert.Equal(header.Count, r.Count));
        return records.Skip(1).Select(r => header.Zip(r).ToDictionary(p => p.First, p => p.Second)).ToList();
    }
}
