using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;
using StreamFlow.IntegrationTests.Rfps;

namespace StreamFlow.EndToEndTests.Rfps;

/// <summary>RFP upload, status polling and the analysis over HTTP, on the standalone host (no AI model configured).</summary>
[Collection(HostCollection.Name)]
public sealed class RfpRouteTests(HostFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_pdf_body_is_accepted_analyzed_and_its_facts_cite_their_pages()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var upload = await UploadAsync(tenant, new ByteArrayContent(SolicitationDocuments.Pdf(SolicitationDocuments.Pages)), "application/pdf");
        var accepted = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var rfp = await PollAsync(tenant, accepted.GetProperty("statusUrl").GetString()!);
        var facts = rfp.GetProperty("analysis").GetProperty("facts");
        var number = facts.GetProperty("solicitationNumber");

        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.Equal(accepted.GetProperty("statusUrl").GetString(), upload.Headers.Location?.ToString());
        Assert.Equal("completed", rfp.GetProperty("status").GetString());
        Assert.Equal("W912DQ-27-R-0042", number.GetProperty("value").GetString());
        Assert.Equal(("page", 1), (number.GetProperty("source").GetProperty("unit").GetString(), number.GetProperty("source").GetProperty("number").GetInt32()));
        Assert.Equal("238220", facts.GetProperty("naicsCodes")[0].GetProperty("value").GetString());
        Assert.Equal("local", rfp.GetProperty("analysis").GetProperty("assessment").GetProperty("method").GetString());
    }

    [Fact]
    public async Task A_docx_sent_as_multipart_form_data_is_analyzed_by_paragraph()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(SolicitationDocuments.Docx());
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "solicitation.docx");

        using var upload = await UploadAsync(tenant, form, null);
        var rfp = await PollAsync(tenant, (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!);
        using var list = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/rfps", tenant.OwnerToken));
        var item = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];

        Assert.Equal("paragraph", rfp.GetProperty("analysis").GetProperty("document").GetProperty("unit").GetString());
        Assert.Equal(("solicitation.docx", "W912DQ-27-R-0042"), (item.GetProperty("fileName").GetString(), item.GetProperty("solicitationNumber").GetString()));
    }

    [Fact]
    public async Task An_image_is_415()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await UploadAsync(tenant, new ByteArrayContent([0x89, 0x50, 0x4E, 0x47]), "image/png");

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_document_over_25_MB_is_413()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var content = new byte[26 * 1024 * 1024];
        "%PDF-1.7\n"u8.CopyTo(content);

        using var response = await UploadAsync(tenant, new ByteArrayContent(content), "application/pdf");

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    private async Task<HttpResponseMessage> UploadAsync(TestTenant tenant, HttpContent content, string? contentType)
    {
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        var request = HostFixture.Authorized(HttpMethod.Post, "/api/v1/rfps", tenant.OwnerToken);
        request.Content = content;
        return await Client.SendAsync(request);
    }

    private async Task<JsonElement> PollAsync(TestTenant tenant, string url)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, url, tenant.OwnerToken));
            var rfp = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (rfp.GetProperty("status").GetString() is "completed" or "failed")
            {
                return rfp;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not analyzed within 90 s: {rfp}");
            await Task.Delay(500);
        }
    }
}
