namespace StreamFlow.IntegrationTests.Ai;

[Collection(ServicesCollection.Name)]
public sealed class AiGatewayPrivacyTests(TestServices services)
{
    private const string PromptWithPersonalData =
        "Lead: Jane Roe, jane.roe@example.com, (303) 555-0142, SSN 123-45-6789, paid with 4111 1111 1111 1111. Score it.";

    [Fact]
    public async Task Personal_data_is_redacted_from_what_the_upstream_receives()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Score: 40");
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();

        await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, PromptWithPersonalData), CancellationToken.None);

        var sent = upstream.RequestBodies.Single();
        Assert.DoesNotContain("jane.roe@example.com", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("555-0142", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("123-45-6789", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("4111 1111 1111 1111", sent, StringComparison.Ordinal);
        Assert.Contains("Lead: Jane Roe, [EMAIL], [PHONE], SSN [SSN], paid with [CARD]. Score it.", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_that_opted_in_sends_personal_data_unredacted()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Score: 40");
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();
        await host.Budget.SetPersonalDataAllowedAsync(tenant, true, CancellationToken.None);

        await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, PromptWithPersonalData), CancellationToken.None);

        Assert.Contains("jane.roe@example.com", upstream.RequestBodies.Single(), StringComparison.Ordinal);
    }
}
