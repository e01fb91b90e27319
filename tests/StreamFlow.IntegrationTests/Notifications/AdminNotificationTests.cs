using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Tenancy;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.IntegrationTests.Notifications;

/// <summary>Budget warnings and webhook failures reach the business's admins by email (read back from maildev).</summary>
[Collection(ServicesCollection.Name)]
public sealed class AdminNotificationTests(TestServices services)
{
    private static readonly HttpClient Maildev = new()
    {
        BaseAddress = new Uri(Environment.GetEnvironmentVariable("MAILDEV_API_URL")
            ?? throw new InvalidOperationException("MAILDEV_API_URL is not set: run the tests through ./test.sh.")),
    };

    [Fact]
    public async Task An_ai_budget_warning_emails_the_owner_and_raises_the_webhook_event()
    {
        var (tenant, owner) = await CreateTenantAsync();

        await services.Get<IAiBudgetAlertSink>().PublishAsync(
            new AiBudgetAlert(AiBudgetScope.TenantMonth, tenant, new DateOnly(2026, 11, 1), 20m, 16.5m, 0.8m, DateTimeOffset.UtcNow), CancellationToken.None);
        var events = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant,
            scope => scope.Connection.ExecuteScalarAsync<long>(scope.Command("SELECT count(*) FROM webhook_messages WHERE event_type = 'ai.budget.warning'")), CancellationToken.None);

        Assert.Equal(1, events);
        Assert.Contains("16.50 USD of the 20.00 USD", await MailTextAsync(owner, "AI budget warning"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_finally_failed_webhook_message_emails_the_owner()
    {
        var (tenant, owner) = await CreateTenantAsync();

        await services.Get<IWebhookAdminNotifier>().DeliveryFailedAsync(
            new WebhookDeliveryFailedNotice(tenant, Guid.NewGuid(), "msg_test", "lead.scored", 8, 503, null, DateTimeOffset.UtcNow), CancellationToken.None);

        Assert.Contains("msg_test", await MailTextAsync(owner, "webhook delivery failed"), StringComparison.Ordinal);
    }

    private async Task<(Guid Tenant, string OwnerEmail)> CreateTenantAsync()
    {
        var slug = $"notify-{Guid.NewGuid():N}"[..20];
        var owner = $"owner@{slug}.example.com";
        var created = await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Notify", slug, "hvac", new TenantOwner(owner, "Owner", "a long enough password")), "test", RequestOrigin.None, CancellationToken.None);
        return (created.Value!.Tenant.Id, owner);
    }

    private static async Task<string> MailTextAsync(string to, string subjectContains)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var mails = await Maildev.GetFromJsonAsync<JsonElement>("/api/email");
            var mail = mails.EnumerateArray().LastOrDefault(m =>
                m.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == to)
                && m.GetProperty("subject").GetString()!.Contains(subjectContains, StringComparison.OrdinalIgnoreCase));
            if (mail.ValueKind == JsonValueKind.Object)
            {
                return mail.GetProperty("text").GetString()!;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"No mail about '{subjectContains}' reached {to}.");
    }
}
