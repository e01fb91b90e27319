using StreamFlow.Core.ChangeFeed;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Portal;

public sealed class ChangeFeedPositionTests
{
    [Theory]
    [InlineData("0-0", 0UL, 0L)]
    [InlineData("812-3", 812UL, 3L)]
    [InlineData("18446744073709551615-9223372036854775807", ulong.MaxValue, long.MaxValue)]
    public void A_written_position_reads_back(string text, ulong xid, long seq)
    {
        Assert.True(ChangeFeedPosition.TryParse(text, out var position));
        Assert.Equal(new ChangeFeedPosition(xid, seq), position);
        Assert.Equal(text, position.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("-1-2")]
    [InlineData("1--2")]
    [InlineData("1-2-3")]
    [InlineData(" 1-2")]
    [InlineData("18446744073709551616-1")]
    [InlineData("1-99999999999999999999")]
    public void Anything_else_is_not_a_position(string? text) => Assert.False(ChangeFeedPosition.TryParse(text, out _));

    [Fact]
    public void Positions_order_by_transaction_then_by_place_in_it()
    {
        Assert.True(new ChangeFeedPosition(5, 900) < new ChangeFeedPosition(6, 1));
        Assert.True(new ChangeFeedPosition(6, 2) > new ChangeFeedPosition(6, 1));
    }

    [Theory]
    [InlineData("lead.created", Permission.LeadsRead)]
    [InlineData("task.completed", Permission.LeadsRead)]
    [InlineData("invoice.paid", Permission.InvoicesRead)]
    [InlineData("visit.completed", Permission.FieldOpsManage)]
    [InlineData("webhook.endpoint.disabled", Permission.WebhooksManage)]
    [InlineData("something.new", Permission.SettingsManage)]
    public void An_event_is_seen_with_the_permission_that_reads_its_record(string eventType, Permission permission) =>
        Assert.Equal(permission, ChangeFeedVisibility.PermissionFor(eventType));

    [Fact]
    public void Staff_see_lead_events_but_not_invoices_or_webhook_failures()
    {
        var staff = new ClientPrincipal(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "s@example.com", ClientRole.Staff, 600, 120);

        Assert.True(staff.MaySee(WebhookEventCatalog.LeadCreated));
        Assert.False(staff.MaySee("invoice.created"));
        Assert.False(staff.MaySee("webhook.delivery.failed"));
    }
}
