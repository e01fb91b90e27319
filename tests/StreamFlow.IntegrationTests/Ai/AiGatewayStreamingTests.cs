using StreamFlow.Core.Ai;

namespace StreamFlow.IntegrationTests.Ai;

[Collection(ServicesCollection.Name)]
public sealed class AiGatewayStreamingTests(TestServices services)
{
    private static readonly string[] Deltas = [.. Enumerable.Range(0, 40).Select(i => $" word{i}")];

    [Fact]
    public async Task A_stream_yields_the_deltas_and_is_billed_with_the_usage_the_upstream_reported()
    {
        using var upstream = new FakeOpenAi().StreamsWith(Deltas, promptTokens: 25, completionTokens: 80);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();

        var started = await host.Gateway.StreamAsync(AiGatewayHost.Request(tenant, "Summarise my pipeline.", maxOutputTokens: 200, feature: AiFeatures.Assistant), CancellationToken.None);
        await using var stream = started.Value!;
        var received = new List<string>();
        await foreach (var delta in stream)
        {
            received.Add(delta);
        }

        var summary = await stream.Completion;
        Assert.Equal(Deltas, received);
        Assert.Equal(AiCallOutcome.Succeeded, summary.Outcome);
        Assert.True(summary.UsageReported);
        Assert.Equal(new AiTokenUsage(25, 0, 80), summary.Usage);
        Assert.Equal(summary.CostUsd, await host.InTenantAsync<decimal>(tenant, "SELECT spent_usd FROM ai_tenant_spend WHERE period_kind = 'day'"));
        Assert.Contains("\"include_usage\":true", upstream.RequestBodies.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cancelled_midway_is_billed_for_what_was_generated_and_its_reservation_released()
    {
        using var upstream = new FakeOpenAi().StreamsWith(Deltas, promptTokens: 25, completionTokens: 80);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();
        using var disconnect = new CancellationTokenSource();

        var started = await host.Gateway.StreamAsync(AiGatewayHost.Request(tenant, "Summarise my pipeline.", maxOutputTokens: 200, feature: AiFeatures.Assistant), CancellationToken.None);
        await using var stream = started.Value!;
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var delta in stream.WithCancellation(disconnect.Token))
            {
                if (++received == 5)
                {
                    await disconnect.CancelAsync();
                }
            }
        });

        var summary = await stream.Completion;
        var ledger = await host.InTenantAsync<int>(tenant, "SELECT output_tokens FROM ai_usage WHERE outcome = 'cancelled'");
        Assert.Equal(5, received);
        Assert.Equal(AiCallOutcome.Cancelled, summary.Outcome);
        Assert.False(summary.UsageReported);
        Assert.InRange(summary.Usage.OutputTokens, 5, 79);
        Assert.Equal(summary.Usage.OutputTokens, ledger);
        Assert.True(summary.CostUsd > 0m);
        Assert.Equal(summary.CostUsd, await host.InTenantAsync<decimal>(tenant, "SELECT spent_usd FROM ai_tenant_spend WHERE period_kind = 'month'"));
        Assert.Equal(0m, await host.InTenantAsync<decimal>(tenant, "SELECT sum(reserved_usd) FROM ai_tenant_spend"));
        Assert.Equal(0L, await host.InTenantAsync<long>(tenant, "SELECT count(*) FROM ai_reservations"));
    }

    [Fact]
    public async Task A_stream_whose_request_is_aborted_midway_is_settled_as_cancelled()
    {
        using var upstream = new FakeOpenAi().StreamsWith(Deltas, promptTokens: 25, completionTokens: 80);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();
        using var requestAborted = new CancellationTokenSource();

        var started = await host.Gateway.StreamAsync(AiGatewayHost.Request(tenant, "Summarise my pipeline.", feature: AiFeatures.Assistant), requestAborted.Token);
        await using var stream = started.Value!;
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var delta in stream)
            {
                if (++received == 3)
                {
                    await requestAborted.CancelAsync();
                }
            }
        });

        var summary = await stream.Completion;
        Assert.Equal(3, received);
        Assert.Equal(AiCallOutcome.Cancelled, summary.Outcome);
        Assert.InRange(summary.Usage.OutputTokens, 3, 79);
        Assert.Equal(0L, await host.InTenantAsync<long>(tenant, "SELECT count(*) FROM ai_reservations"));
    }

    [Fact]
    public async Task A_stream_the_consumer_abandons_without_reading_is_settled_when_disposed()
    {
        using var upstream = new FakeOpenAi().StreamsWith(Deltas, promptTokens: 25, completionTokens: 80);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();

        var started = await host.Gateway.StreamAsync(AiGatewayHost.Request(tenant, "Summarise my pipeline.", feature: AiFeatures.Assistant), CancellationToken.None);
        await started.Value!.DisposeAsync();

        Assert.Equal(AiCallOutcome.Cancelled, (await started.Value.Completion).Outcome);
        Assert.Equal(0L, await host.InTenantAsync<long>(tenant, "SELECT count(*) FROM ai_reservations"));
        Assert.Equal("cancelled", await host.InTenantAsync<string>(tenant, "SELECT outcome FROM ai_usage"));
    }
}
