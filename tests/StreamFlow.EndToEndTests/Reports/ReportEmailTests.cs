using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Reports;

/// <summary>
/// Two businesses with distinctive lead names, sources and amounts each send their daily report now; the tests read
/// the delivered mail from maildev and hold it to what was created, and to the other business's data being absent.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ReportEmailTests(HostFixture fixture) : IAsyncLifetime
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly HttpClient Maildev = new() { BaseAddress = new Uri(TestEnvironment.Setting("MAILDEV_API_URL")) };

    private Business _alpha = null!;
    private Business _bravo = null!;

    public async Task InitializeAsync()
    {
        _alpha = await CreateBusinessAsync("Alpha", "1234.56");
        _bravo = await CreateBusinessAsync("Bravo", "777.00");
        _alpha = await SendAndReadAsync(_alpha);
        _bravo = await SendAndReadAsync(_bravo);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void The_emailed_numbers_are_the_leads_that_were_created()
    {
        var csv = _alpha.Mail!.Csv;

        Assert.Equal("3", csv[("new_leads", "total", "")]);
        Assert.Equal("2", csv[("new_leads_by_source", "count", $"Ads{_alpha.Tag}")]);
        Assert.Equal("1", csv[("new_leads_by_source", "count", $"Referral{_alpha.Tag}")]);
        Assert.Equal("1", csv[("conversion", "won", "")]);
        Assert.Equal("0", csv[("conversion", "lost", "")]);
        Assert.Equal("1234.56", csv[("won_revenue", "amount", "USD")]);
        Assert.Equal("1", csv[("stale_hot_leads", "count", "")]);
        // Scoring runs in the background, so the mix varies with timing; every new lead is in exactly one tier.
        Assert.Equal(3, new[] { "hot", "warm", "cold", "unscored" }.Sum(tier => int.Parse(csv.GetValueOrDefault(("tiers", tier, ""), "0"), CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void The_stale_hot_lead_is_named_in_the_email()
    {
        Assert.Contains(_alpha.StaleLeadName, _alpha.Mail!.Html, StringComparison.Ordinal);
        Assert.Contains(_alpha.StaleLeadName, _alpha.Mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_inline_chart_decodes_as_a_png_of_its_stated_size_and_the_html_shows_it()
    {
        var charts = _alpha.Mail!.InlineImages;

        Assert.Equal(["leads-by-source", "pipeline-by-stage", "won-revenue"], charts.Select(c => c.ContentId).Order());
        Assert.All(charts, chart =>
        {
            Assert.Equal(PngSignature, chart.Content[..8]);
            Assert.Equal("IHDR", Encoding.ASCII.GetString(chart.Content, 12, 4));
            Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(chart.Content.AsSpan(16, 4)));
            Assert.Equal(280, BinaryPrimitives.ReadInt32BigEndian(chart.Content.AsSpan(20, 4)));
            Assert.Contains($"src=\"cid:{chart.ContentId}\"", _alpha.Mail.Html, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task The_csv_attachment_agrees_with_the_summary_route()
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/reports/summary?period=day&date={_alpha.Date}", _alpha.Tenant.OwnerToken));
        var summary = await response.Content.ReadFromJsonAsync<JsonElement>();
        var csv = _alpha.Mail!.Csv;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(csv[("new_leads", "total", "")], summary.GetProperty("newLeads").GetProperty("total").GetInt32().ToString(CultureInfo.InvariantCulture));
        Assert.Equal(csv[("won_revenue", "amount", "USD")], summary.GetProperty("wonRevenue").GetProperty("amount").GetProperty("amount").GetString());
        Assert.Equal(csv[("forecast", "method", "")], summary.GetProperty("forecast").GetProperty("method").GetString());
        Assert.Equal(_alpha.Date, summary.GetProperty("period").GetProperty("start").GetString());
    }

    [Fact]
    public void A_businesss_report_never_contains_another_businesss_data()
    {
        static string Everything(Business business) => business.Mail!.Html + business.Mail.Text + business.Mail.CsvText + business.Mail.Subject;

        Assert.All(_bravo.Distinctive, value => Assert.DoesNotContain(value, Everything(_alpha), StringComparison.Ordinal));
        Assert.All(_alpha.Distinctive, value => Assert.DoesNotContain(value, Everything(_bravo), StringComparison.Ordinal));
        Assert.All(_alpha.Distinctive, value => Assert.Contains(value, Everything(_alpha), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_provider_report_has_each_businesss_aggregates_and_no_lead_names()
    {
        var token = await fixture.LoginAsync("provider");

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/reports/summary?period=day&date={_alpha.Date}", token));
        var body = await response.Content.ReadAsStringAsync();
        var alphaRow = JsonDocument.Parse(body).RootElement.GetProperty("tenants").EnumerateArray().Single(t => t.GetProperty("tenantId").GetGuid() == _alpha.Tenant.Id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, alphaRow.GetProperty("newLeads").GetProperty("total").GetInt32());
        Assert.Equal(1, alphaRow.GetProperty("staleHotLeads").GetInt32());
        Assert.DoesNotContain(_alpha.StaleLeadName, body, StringComparison.Ordinal);
        Assert.DoesNotContain(_bravo.StaleLeadName, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_token_cannot_read_the_provider_report()
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/provider/reports/summary?period=day", _alpha.Tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public void A_delivery_record_says_the_report_was_sent_and_archived()
    {
        Assert.Equal("sent", _alpha.Delivery.GetProperty("status").GetString());
        Assert.StartsWith($"reports/{_alpha.Tenant.Id}/day/{_alpha.Date}/", _alpha.Delivery.GetProperty("archivePath").GetString(), StringComparison.Ordinal);
    }

    private async Task<Business> CreateBusinessAsync(string name, string wonAmount)
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var tag = $"{name}{Guid.NewGuid():N}"[..14];
        var won = await CreateLeadAsync(tenant, new { firstName = $"{name}Won", lastName = tag, source = $"Ads{tag}" });
        await CreateLeadAsync(tenant, new { firstName = $"{name}Second", lastName = tag, source = $"Ads{tag}" });
        await CreateLeadAsync(tenant, new { firstName = $"{name}Third", lastName = tag, source = $"Referral{tag}" });
        var stale = await CreateLeadAsync(tenant, new { firstName = $"{name}Stale", lastName = tag, source = $"Referral{tag}" });
        using var outcome = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{won.GetProperty("id").GetGuid()}", tenant.OwnerToken,
            new { outcome = new { status = "won", amount = wonAmount, currency = "USD" } }));
        Assert.Equal(HttpStatusCode.OK, outcome.StatusCode);
        await WaitUntilScoredAsync(tenant, stale.GetProperty("id").GetGuid());
        await MakeStaleAndHotAsync(tenant.Id, stale.GetProperty("id").GetGuid());
        var date = won.GetProperty("createdAt").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new Business(tenant, tag, date, $"{name}Stale {tag}", [tag, $"{name}Stale", wonAmount, tenant.Slug]);
    }

    private async Task<JsonElement> CreateLeadAsync(TestTenant tenant, object lead)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, lead));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Scoring runs in the background after a lead is created; the test's own tier must come after it.</summary>
    private async Task WaitUntilScoredAsync(TestTenant tenant, Guid leadId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads/{leadId}", tenant.OwnerToken));
            if ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scoreStatus").GetString() != "pending")
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Lead {leadId} was not scored.");
    }

    /// <summary>No API ages a lead: set the tier and move its creation back 3 days, inside the tenant's RLS scope.</summary>
    private static async Task MakeStaleAndHotAsync(Guid tenantId, Guid leadId)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.Setting("Postgres__AppConnectionString"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var setTenant = new NpgsqlCommand("SELECT set_config('app.tenant_id', @tenant, true)", connection, transaction))
        {
            setTenant.Parameters.AddWithValue("tenant", tenantId.ToString());
            await setTenant.ExecuteNonQueryAsync();
        }

        await using (var update = new NpgsqlCommand("UPDATE leads SET score_tier = 'hot', score_status = 'scored', created_at = created_at - interval '3 days' WHERE id = @id", connection, transaction))
        {
            update.Parameters.AddWithValue("id", leadId);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await transaction.CommitAsync();
    }

    private async Task<Business> SendAndReadAsync(Business business)
    {
        using var send = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/reports/send", business.Tenant.OwnerToken, new { period = "day", date = business.Date }));
        var sent = await send.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(send.StatusCode == HttpStatusCode.OK, sent.ToString());
        var delivery = Assert.Single(sent.GetProperty("deliveries").EnumerateArray().ToList());

        var mail = await Mailbox.WaitForMailAsync(business.Tenant.OwnerEmail, m => m.GetProperty("subject").GetString()!.Contains("daily report", StringComparison.Ordinal));
        var id = mail.GetProperty("id").GetString()!;
        var images = new List<InlineImage>();
        byte[]? csv = null;
        foreach (var attachment in mail.GetProperty("attachments").EnumerateArray())
        {
            var content = await Maildev.GetByteArrayAsync($"/api/email/{id}/attachment/{Uri.EscapeDataString(attachment.GetProperty("generatedFileName").GetString()!)}");
            if (attachment.GetProperty("contentType").GetString() == "image/png")
            {
                images.Add(new InlineImage(attachment.GetProperty("contentId").GetString()!, attachment.GetProperty("generatedFileName").GetString()!, content));
            }
            else if (attachment.GetProperty("contentType").GetString() == "text/csv")
            {
                csv = content;
            }
        }

        Assert.NotNull(csv);
        var csvText = Encoding.UTF8.GetString(csv);
        // The HTML exactly as sent: maildev's own copy is sanitized, which drops cid: image sources.
        using var source = await Maildev.GetStreamAsync($"/api/email/{id}/source");
        var html = (await MimeKit.MimeMessage.LoadAsync(source)).HtmlBody ?? "";
        var report = new ReportMail(mail.GetProperty("subject").GetString()!, html, mail.GetProperty("text").GetString()!, csvText, ParseCsv(csvText), images);
        return business with { Mail = report, Delivery = delivery };
    }

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static Dictionary<(string Section, string Metric, string Key), string> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
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
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.Equal(["section", "metric", "key", "value"], rows[0]);
        Assert.All(rows, r => Assert.Equal(4, r.Count));
        return rows.Skip(1).ToDictionary(r => (r[0], r[1], r[2]), r => r[3]);
    }

    private sealed record InlineImage(string ContentId, string GeneratedFileName, byte[] Content);

    private sealed record ReportMail(string Subject, string Html, string Text, string CsvText, Dictionary<(string, string, string), string> Csv, IReadOnlyList<InlineImage> InlineImages);

    private sealed record Business(TestTenant Tenant, string Tag, string Date, string StaleLeadName, string[] Distinctive)
    {
        public ReportMail? Mail { get; init; }

        public JsonElement Delivery { get; init; }
    }
}
