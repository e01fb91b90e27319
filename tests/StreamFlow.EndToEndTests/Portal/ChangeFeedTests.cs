using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Portal;

[Collection(HostCollection.Name)]
public sealed class ChangeFeedTests(HostFixture fixture)
{
    [Fact]
    public async Task A_dashboard_sees_its_business_events_live_and_not_another_business()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var other = await Tenants.CreateAsync(fixture);
        await using var stream = await EventStream.OpenAsync(fixture, tenant.OwnerToken);

        var elsewhere = await CreateLeadAsync(other, "Elsewhere");
        var created = await CreateLeadAsync(tenant, "Dana");

        var received = await stream.NextAsync(e => e.Event == "lead.created");
        Assert.Equal(created, received.Data.GetProperty("data").GetProperty("id").GetGuid());
        Assert.StartsWith("msg_", received.Data.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9]+-[0-9]+$", received.Id);
        Assert.DoesNotContain(stream.Seen, e => e.Data.ValueKind == JsonValueKind.Object
            && e.Data.GetProperty("data").TryGetProperty("id", out var id) && id.TryGetGuid(out var leadId) && leadId == elsewhere);
    }

    [Fact]
    public async Task A_reconnection_with_Last_Event_ID_receives_what_was_missed_in_order()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        string lastSeen;
        await using (var first = await EventStream.OpenAsync(fixture, tenant.OwnerToken))
        {
            await CreateLeadAsync(tenant, "Before");
            lastSeen = (await first.NextAsync(e => e.Event == "lead.created")).Id!;
        }

        var missedA = await CreateLeadAsync(tenant, "Missed A");
        var missedB = await CreateLeadAsync(tenant, "Missed B");
        await using var resumed = await EventStream.OpenAsync(fixture, tenant.OwnerToken, lastSeen);

        var replayA = await resumed.NextAsync(e => e.Event == "lead.created");
        var replayB = await resumed.NextAsync(e => e.Event == "lead.created");
        Assert.Equal(missedA, replayA.Data.GetProperty("data").GetProperty("id").GetGuid());
        Assert.Equal(missedB, replayB.Data.GetProperty("data").GetProperty("id").GetGuid());
        Assert.DoesNotContain(resumed.Seen, e => e.Event == "resync");
    }

    [Theory]
    [InlineData("not-a-position")]
    [InlineData("1-1")]
    public async Task An_unknown_or_too_old_Last_Event_ID_is_told_to_resync(string lastEventId)
    {
        var tenant = await Tenants.CreateAsync(fixture);

        await using var stream = await EventStream.OpenAsync(fixture, tenant.OwnerToken, lastEventId);
        var resync = await stream.NextAsync(e => e.Event is not null);

        Assert.Equal("resync", resync.Event);
        Assert.Contains("Last-Event-ID", resync.Data.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var created = await CreateLeadAsync(tenant, "After resync");
        Assert.Equal(created, (await stream.NextAsync(e => e.Event == "lead.created")).Data.GetProperty("data").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Without_a_session_the_stream_is_refused()
    {
        using var response = await fixture.Client.GetAsync("/api/v1/events/stream");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<Guid> CreateLeadAsync(TestTenant tenant, string firstName)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName, source = "Reference" }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}

/// <summary>A test's reading end of <c>GET /api/v1/events/stream</c>, parsing the SSE wire format by hand.</summary>
internal sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public List<ServerSentEvent> Seen { get; } = [];

    public static async Task<EventStream> OpenAsync(HostFixture fixture, string token, string? lastEventId = null)
    {
        var request = HostFixture.Authorized(HttpMethod.Get, "/api/v1/events/stream", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    public async Task<ServerSentEvent> NextAsync(Func<ServerSentEvent, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var next = await ReadEventAsync(timeout.Token);
            Seen.Add(next);
            if (match(next))
            {
                return next;
            }
        }
    }

    private async Task<ServerSentEvent> ReadEventAsync(CancellationToken cancellationToken)
    {
        string? id = null, name = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (id is null && name is null && data.Count == 0)
                {
                    continue;
                }

                return new ServerSentEvent(id, name, data.Count == 0 ? default : JsonDocument.Parse(string.Join('\n', data)).RootElement.Clone());
            }

            if (line.StartsWith(':'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data": data.Add(value); break;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal sealed record ServerSentEvent(string? Id, string? Event, JsonElement Data);
