using System.Net;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Billing;

/// <summary>The provider's invoice payment routes over HTTP: provider-only, 404 for unknown invoices, field errors.</summary>
[Collection(HostCollection.Name)]
public sealed class ProviderInvoicePaymentRouteTests(HostFixture fixture)
{
    [Fact]
    public async Task Marking_an_unknown_invoice_paid_is_a_404_problem()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post,
            $"/api/v1/provider/tenants/{tenant.Id}/invoices/{Guid.NewGuid()}/mark-paid", provider, new { reference = "WIRE-1" }));

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_client_owner_cannot_mark_its_own_invoice_paid()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post,
            $"/api/v1/provider/tenants/{tenant.Id}/invoices/{Guid.NewGuid()}/mark-paid", tenant.OwnerToken, new { reference = "WIRE-1" }));

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_credit_note_goes_through_the_audited_route_only_and_an_unknown_invoice_there_is_a_404()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");

        using var older = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post,
            $"/api/v1/provider/tenants/{tenant.Id}/invoices/{Guid.NewGuid()}/credit-notes", provider, new { amount = 10m, reason = "Unaudited" }));
        using var audited = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post,
            $"/api/v1/provider/tenants/{tenant.Id}/credit-notes", provider, new { amountMinor = 1_000, reason = "Seat billed twice", invoiceId = Guid.NewGuid() }));

        Assert.Equal(HttpStatusCode.NotFound, older.StatusCode);
        await PlatformEndpointTests.AssertProblemAsync(audited, HttpStatusCode.NotFound);
    }
}
