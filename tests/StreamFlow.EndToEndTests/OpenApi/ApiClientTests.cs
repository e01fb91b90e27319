using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using StreamFlow.EndToEndTests.Identity;
using StreamFlow.EndToEndTests.OpenApi.Client;
using StreamFlow.EndToEndTests.OpenApi.Client.Models;

namespace StreamFlow.EndToEndTests.OpenApi;

/// <summary>The API called the way a frontend developer would: through the client Kiota generates from the document.</summary>
[Collection(HostCollection.Name)]
public sealed class ApiClientTests(HostFixture fixture)
{
    [Fact]
    public async Task Sign_in_create_a_lead_read_it_back_and_list_with_a_filter()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var session = await Client(token: null).Api.V1.Auth.Login.PostAsync(new ClientLoginBody { Tenant = tenant.Slug, Email = tenant.OwnerEmail, Password = tenant.OwnerPassword });
        var api = Client(session!.AccessToken);
        var created = await api.Api.V1.Leads.PostAsync(new LeadBody { FirstName = "Dana", Company = "Reyes Dental", Email = "dana@reyes.example.com", Source = "Referral" });
        await api.Api.V1.Leads.PostAsync(new LeadBody { FirstName = "Sam", Source = "Web" });
        var read = await api.Api.V1.Leads[created!.Id!.Value].GetAsync();
        var referrals = await api.Api.V1.Leads.GetAsync(request => request.QueryParameters.Source = "Referral");

        Assert.False(string.IsNullOrEmpty(session.AccessToken));
        Assert.Equal("Dana", read!.FirstName);
        Assert.Equal("Reyes Dental", read.Company);
        Assert.Equal("new", read.Stage);
        Assert.Equal([created.Id], referrals!.Items!.Select(lead => lead.Id));
    }

    [Fact]
    public async Task Problems_arrive_as_the_typed_problem()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var api = Client(tenant.OwnerToken);

        var missing = await Assert.ThrowsAsync<Problem>(() => api.Api.V1.Leads[Guid.NewGuid()].GetAsync());
        var invalid = await Assert.ThrowsAsync<Problem>(() => api.Api.V1.Leads.PostAsync(new LeadBody { Email = "not an email" }));

        Assert.Equal(404, missing.Status);
        Assert.Equal(404, missing.ResponseStatusCode);
        Assert.Equal(400, invalid.Status);
    }

    private StreamFlowClient Client(string? token)
    {
        IAuthenticationProvider authentication = token is null
            ? new AnonymousAuthenticationProvider()
            : new BaseBearerTokenAuthenticationProvider(new FixedToken(token));
        var adapter = new HttpClientRequestAdapter(authentication, httpClient: new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
        {
            BaseUrl = fixture.Client.BaseAddress!.ToString().TrimEnd('/'),
        };
        return new StreamFlowClient(adapter);
    }

    private sealed class FixedToken(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(token);
    }
}
