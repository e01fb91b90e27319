using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Npgsql;
using StreamFlow.EndToEndTests.Identity;
using UglyToad.PdfPig;

namespace StreamFlow.EndToEndTests.Billing;

/// <summary>The invoice routes over HTTP against the standalone host, on invoices seeded with SQL as the billing cycle writes them.</summary>
[Collection(HostCollection.Name)]
public sealed class InvoiceRouteTests(HostFixture fixture)
{
    private const string Html = "<!doctype html><html><body><h1>Invoice</h1><p>Total 143.55 USD</p></body></html>";

    [Fact]
    public async Task Owner_lists_and_reads_the_finalized_invoice_but_not_the_draft()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var invoice = await InvoiceSeed.FinalizedAsync(tenant.Id);
        await InvoiceSeed.DraftAsync(tenant.Id);

        var list = await GetJsonAsync("/api/v1/invoices", tenant.OwnerToken);
        var one = await GetJsonAsync($"/api/v1/invoices/{invoice.Id}", tenant.OwnerToken);

        Assert.Equal([invoice.Id], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal((invoice.Number, "143.55", 3), (one.GetProperty("number").GetString(), one.GetProperty("total").GetProperty("amount").GetString(), one.GetProperty("lines").GetArrayLength()));
    }

    [Fact]
    public async Task Html_download_is_the_stored_document_named_after_the_invoice_number()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var invoice = await InvoiceSeed.FinalizedAsync(tenant.Id, withDocument: true);

        using var response = await GetAsync($"/api/v1/invoices/{invoice.Id}/document?format=html", tenant.OwnerToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"{invoice.Number}.html", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        Assert.Equal(Html, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Pdf_download_has_the_number_and_total_as_text()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var invoice = await InvoiceSeed.FinalizedAsync(tenant.Id);

        using var response = await GetAsync($"/api/v1/invoices/{invoice.Id}/document?format=pdf", tenant.OwnerToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("application/pdf", $"{invoice.Number}.pdf"), (response.Content.Headers.ContentType!.MediaType, response.Content.Headers.ContentDisposition!.FileName!.Trim('"')));
        using var pdf = PdfDocument.Open(await response.Content.ReadAsByteArrayAsync());
        var text = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        Assert.Contains(invoice.Number, text, StringComparison.Ordinal);
        Assert.Contains("143.55", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_download_has_a_row_per_line()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var invoice = await InvoiceSeed.FinalizedAsync(tenant.Id);

        using var response = await GetAsync($"/api/v1/invoices/{invoice.Id}/document?format=csv", tenant.OwnerToken);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(("text/csv", $"{invoice.Number}.csv"), (response.Content.Headers.ContentType!.MediaType, response.Content.Headers.ContentDisposition!.FileName!.Trim('"')));
        Assert.Equal("invoice_number,position,line_type,description,quantity,unit_amount,amount,currency,period_start,period_end", lines[0]);
        Assert.Equal($"{invoice.Number},3,discount,Launch discount,1,14.50,-14.50,USD,2018-05-01,2018-06-01", lines[3]);
    }

    [Fact]
    public async Task Another_client_gets_404_for_the_invoice_and_its_download()
    {
        var owner = await Tenants.CreateAsync(fixture);
        var other = await Tenants.CreateAsync(fixture);
        var invoice = await InvoiceSeed.FinalizedAsync(owner.Id, withDocument: true);

        using var read = await GetAsync($"/api/v1/invoices/{invoice.Id}", other.OwnerToken);
        using var download = await GetAsync($"/api/v1/invoices/{invoice.Id}/document?format=html", other.OwnerToken);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (read.StatusCode, download.StatusCode));
    }

    [Fact]
    public async Task Staff_may_not_read_invoices()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");

        using var response = await GetAsync("/api/v1/invoices", staff.Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_format_is_a_400()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var invoice = await InvoiceSeed.FinalizedAsync(tenant.Id);

        using var response = await GetAsync($"/api/v1/invoices/{invoice.Id}/document?format=docx", tenant.OwnerToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Provider_sees_the_client_in_the_invoice_list_and_the_console()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var invoice = await InvoiceSeed.FinalizedAsync(tenant.Id);
        var provider = await fixture.LoginAsync("provider");

        var list = await GetJsonAsync($"/api/v1/provider/invoices?tenantId={tenant.Id}", provider);
        var console = await GetJsonAsync("/api/v1/provider/billing/clients", provider);

        var row = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal((invoice.Id, tenant.Slug), (row.GetProperty("id").GetGuid(), row.GetProperty("tenantSlug").GetString()));
        var client = console.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("tenantId").GetGuid() == tenant.Id);
        // Open and long past due: all of it is outstanding and overdue.
        Assert.Equal("143.55", client.GetProperty("overdue")[0].GetProperty("amount").GetString());
    }

    [Fact]
    public async Task Provider_export_streams_csv_with_the_client_name()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var invoice = await InvoiceSeed.FinalizedAsync(tenant.Id);
        var provider = await fixture.LoginAsync("provider");

        using var response = await GetAsync("/api/v1/provider/invoices/export?from=2018-06-01&to=2018-06-01&kind=lines", provider);
        var rows = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where(r => r.StartsWith(invoice.Number + ",", StringComparison.Ordinal)).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Contains($",Business {tenant.Slug},{tenant.Slug},{tenant.Id},", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Client_token_is_refused_on_provider_billing_routes()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await GetAsync("/api/v1/provider/billing/analytics", tenant.OwnerToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private Task<HttpResponseMessage> GetAsync(string path, string token) =>
        fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, path, token));

    private async Task<JsonElement> GetJsonAsync(string path, string token)
    {
        using var response = await GetAsync(path, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Writes invoices as the billing cycle does (draft, lines, then finalized), as the app role in the tenant's transaction.</summary>
    private static class InvoiceSeed
    {
        public static async Task<(Guid Id, string Number)> FinalizedAsync(Guid tenantId, bool withDocument = false)
        {
            var number = $"INV-E{Guid.NewGuid():N}"[..18].ToUpperInvariant();
            string? blob = null;
            if (withDocument)
            {
                blob = $"{tenantId}/{Guid.NewGuid()}.html";
                var container = new BlobServiceClient(TestEnvironment.Setting("AzureWebJobsStorage")).GetBlobContainerClient("invoices");
                await container.CreateIfNotExistsAsync();
                await container.GetBlobClient(blob).UploadAsync(BinaryData.FromString(Html), overwrite: true);
            }

            var id = await InsertAsync(tenantId, new DateOnly(2018, 5, 1));
            await InTenantAsync(tenantId, """
                UPDATE invoices SET number = @number, status = 'open', finalized_at = @issued, issued_at = @issued, due_at = @due, document_blob = @blob
                WHERE id = @id
                """, ("id", id), ("number", number), ("issued", new DateTimeOffset(2018, 6, 1, 9, 0, 0, TimeSpan.Zero)),
                ("due", new DateTimeOffset(2018, 6, 15, 0, 0, 0, TimeSpan.Zero)), ("blob", (object?)blob ?? DBNull.Value));
            return (id, number);
        }

        public static Task<Guid> DraftAsync(Guid tenantId) => InsertAsync(tenantId, new DateOnly(2018, 6, 1));

        // 100 + 45 - 14.50 = 130.50; 10% tax 13.05; total 143.55.
        private static async Task<Guid> InsertAsync(Guid tenantId, DateOnly periodStart)
        {
            var id = Guid.CreateVersion7();
            var periodEnd = periodStart.AddMonths(1);
            await InTenantAsync(tenantId, """
                INSERT INTO invoices (id, tenant_id, period_start, period_end, currency, status, subtotal, discount_total, tax_rate, tax_total, total, created_at, updated_at)
                VALUES (@id, @tenant, @start, @end, 'USD', 'draft', 145.00, 14.50, 0.1, 13.05, 143.55, now(), now());
                INSERT INTO invoice_lines (id, tenant_id, invoice_id, position, line_type, description, quantity, unit_amount, amount, period_start, period_end)
                VALUES (gen_random_uuid(), @tenant, @id, 1, 'base_fee', 'Base fee', 1, 100, 100.00, @start, @end),
                       (gen_random_uuid(), @tenant, @id, 2, 'seats', 'Seats', 3, 15, 45.00, @start, @end),
                       (gen_random_uuid(), @tenant, @id, 3, 'discount', 'Launch discount', 1, 14.50, -14.50, @start, @end);
                """, ("id", id), ("tenant", tenantId), ("start", periodStart), ("end", periodEnd));
            return id;
        }

        private static async Task InTenantAsync(Guid tenantId, string sql, params (string Name, object Value)[] parameters)
        {
            await using var connection = new NpgsqlConnection(TestEnvironment.Setting("Postgres__AppConnectionString"));
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var setTenant = new NpgsqlCommand("SELECT set_config('app.tenant_id', @tenant, true)", connection, transaction))
            {
                setTenant.Parameters.AddWithValue("tenant", tenantId.ToString());
                await setTenant.ExecuteNonQueryAsync();
            }

            await using (var command = new NpgsqlCommand(sql, connection, transaction))
            {
                foreach (var (name, value) in parameters)
                {
                    command.Parameters.AddWithValue(name, value);
                }

                await command.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }
    }
}
