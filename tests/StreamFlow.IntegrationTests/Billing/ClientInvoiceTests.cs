using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Kernel;
using UglyToad.PdfPig;

namespace StreamFlow.IntegrationTests.Billing;

[Collection(ServicesCollection.Name)]
public sealed class ClientInvoiceTests(TestServices services)
{
    private static readonly DateTimeOffset Now = new(2018, 6, 20, 12, 0, 0, TimeSpan.Zero);

    private static readonly SeedLine[] Lines =
    [
        new(InvoiceLineType.BaseFee, 100m, Description: "Base fee, June"),
        new(InvoiceLineType.Seats, 45m, 3m, "Seats (3 users)"),
        new(InvoiceLineType.Discount, 14.50m, Description: "Launch discount 10%"),
    ];

    [Fact]
    public async Task Client_list_never_shows_drafts()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();
        var open = await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2018, 5, 1), InvoiceStatus.Open, Lines);
        var draft = await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2018, 6, 1), InvoiceStatus.Draft, Lines);
        var service = bed.Get<ClientInvoiceService>();

        var page = await service.ListAsync(tenant.Id, null, 50, null, CancellationToken.None);
        var fetchedDraft = await service.GetAsync(tenant.Id, draft.Id, CancellationToken.None);

        Assert.Equal([open.Id], page.Value!.Items.Select(i => i.Id));
        Assert.Equal(ProblemKind.NotFound, fetchedDraft.Problem!.Kind);
    }

    [Fact]
    public async Task Another_clients_invoice_is_not_found()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var owner = await bed.CreateTenantAsync();
        var other = await bed.CreateTenantAsync();
        var invoice = await bed.AddInvoiceAsync(owner.Id, new DateOnly(2018, 5, 1), InvoiceStatus.Open, Lines);
        var service = bed.Get<ClientInvoiceService>();

        var read = await service.GetAsync(other.Id, invoice.Id, CancellationToken.None);
        var download = await service.GetDocumentAsync(other.Id, invoice.Id, InvoiceDocumentFormat.Pdf, CancellationToken.None);

        Assert.Equal((ProblemKind.NotFound, ProblemKind.NotFound), (read.Problem!.Kind, download.Problem!.Kind));
    }

    [Fact]
    public async Task Pdf_is_made_from_the_record_with_number_lines_and_totals_as_extractable_text()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync("Acme Heating & Air");
        var invoice = await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2018, 5, 1), InvoiceStatus.Open, Lines);

        var document = await bed.Get<ClientInvoiceService>().GetDocumentAsync(tenant.Id, invoice.Id, InvoiceDocumentFormat.Pdf, CancellationToken.None);

        using var pdf = PdfDocument.Open(document.Value!.Content);
        var text = string.Join("\n", pdf.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
        Assert.Equal(1, pdf.NumberOfPages);
        Assert.Equal(($"{invoice.Number}.pdf", "application/pdf"), (document.Value.FileName, document.Value.ContentType));
        // 100 + 45 - 14.50 = 130.50, tax 13.05, total 143.55
        foreach (var expected in new[] { invoice.Number!, "Acme", "Launch", "145.00", "14.50", "13.05", "143.55" })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Csv_has_one_row_per_line_in_invariant_culture()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();
        var invoice = await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2018, 5, 1), InvoiceStatus.Paid, [.. Lines, new("lead_overage", 2.5m, 5m, "=SUM(A1:A9)")]);
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        Result<InvoiceDocument> document;
        try
        {
            document = await bed.Get<ClientInvoiceService>().GetDocumentAsync(tenant.Id, invoice.Id, InvoiceDocumentFormat.Csv, CancellationToken.None);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        var rows = CsvRows.Parse(Encoding.UTF8.GetString(document.Value!.Content));
        Assert.Equal(["100.00", "45.00", "-14.50", "2.50"], rows.Select(r => r["amount"]));
        Assert.Equal(("Base fee, June", "3", "15.00", "0.50"), (rows[0]["description"], rows[1]["quantity"], rows[1]["unit_amount"], rows[3]["unit_amount"]));
        Assert.Equal("'=SUM(A1:A9)", rows[3]["description"]);
        Assert.All(rows, r => Assert.Equal((invoice.Number, "USD", "2018-05-01", "2018-06-01"), (r["invoice_number"], r["currency"], r["period_start"], r["period_end"])));
    }

    [Fact]
    public async Task Html_is_the_stored_document_byte_for_byte()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();
        var blobName = $"{tenant.Id}/{Guid.NewGuid()}.html";
        var html = "<!doctype html><html><body><h1>Invoice</h1><p>Total 143.55 USD – thank you</p></body></html>";
        var container = bed.Get<BlobServiceClient>().GetBlobContainerClient(ClientInvoiceService.DocumentContainer);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(blobName).UploadAsync(BinaryData.FromString(html), overwrite: true);
        var invoice = await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2018, 5, 1), InvoiceStatus.Open, Lines, documentBlob: blobName);

        var document = await bed.Get<ClientInvoiceService>().GetDocumentAsync(tenant.Id, invoice.Id, InvoiceDocumentFormat.Html, CancellationToken.None);

        Assert.Equal(Encoding.UTF8.GetBytes(html), document.Value!.Content);
        Assert.Equal(($"{invoice.Number}.html", "text/html; charset=utf-8"), (document.Value.FileName, document.Value.ContentType));
    }

    [Fact]
    public async Task Html_stored_outside_the_clients_folder_is_not_served()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();
        var invoice = await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2018, 5, 1), InvoiceStatus.Open, Lines, documentBlob: $"{Guid.NewGuid()}/x.html");

        var document = await bed.Get<ClientInvoiceService>().GetDocumentAsync(tenant.Id, invoice.Id, InvoiceDocumentFormat.Html, CancellationToken.None);

        Assert.Equal(ProblemKind.NotFound, document.Problem!.Kind);
    }
}
