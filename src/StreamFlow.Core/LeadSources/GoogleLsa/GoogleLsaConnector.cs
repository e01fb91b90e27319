using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connections.OAuth;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>
/// Google Local Services leads (kind <c>google_lsa</c>): the phone, message and booking leads of the tenant's Local
/// Services account, read through the Google Ads API (<c>local_services_lead</c> by GAQL search) into leads, one per
/// lead resource for ever; then the outcome of each lead won or lost in StreamFlow is sent back as lead feedback
/// (<c>LocalServicesLeadService.ProvideLeadFeedback</c>), once. Access is OAuth2: the owner consents through
/// <c>POST /api/v1/connections/{id}/authorizations</c>, or enters a refresh token as the credential <c>refreshToken</c>.
/// docs/lead-sources.md.
/// </summary>
public sealed class GoogleLsaConnector(
    GoogleLsaClient client, SourceLeadWriter writer, ConnectorRecords records, StreamFlowDatabase database, Microsoft.Extensions.Options.IOptions<GoogleLsaOptions> options,
    TimeProvider time)
    : IConnector, IOAuthConnector
{
    public const string KindName = "google_lsa";
    public const string SourceName = "google_lsa";
    internal const string FeedbackEntity = "lsa_feedback";
    private const string FeedbackPage = "feedback";

    /// <summary>The sync trigger of a feedback-only sync (connection_syncs.trigger).</summary>
    public const string FeedbackTrigger = "feedback";

    public string Kind => KindName;

    public JsonElement Validate(JsonElement settings, IReadOnlyDictionary<string, string>? credentials, bool creating, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var parsed = GoogleLsaSettings.Parse(settings, errors);
        // The refresh token comes from the consent flow (authorizations) or is entered by hand; either way it is optional here.
        foreach (var (name, value) in credentials ?? new Dictionary<string, string>())
        {
            if (name != OAuthCredentials.RefreshToken)
            {
                errors.Add($"credentials.{name}", "is not a Local Services credential (refreshToken).");
            }
            else if (value is not { Length: > 0 and <= 2000 } || value.Any(char.IsWhiteSpace))
            {
                errors.Add("credentials.refreshToken", "must be the OAuth2 refresh token Google granted for the adwords scope.");
            }
        }

        return parsed?.ToJson() ?? settings;
    }

    public async Task<string> TestAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = GoogleLsaSettings.Read(context.Settings);
        var page = await client.SearchAsync(context, settings, GoogleLsaQuery.Probe, null, cancellationToken);
        return $"Google accepted the access to customer {settings.CustomerId}; {(page.Results is { Count: > 0 } ? "Local Services leads can be read" : "no Local Services leads yet")}.";
    }

    public SyncPlan Plan(ConnectorContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Trigger == FeedbackTrigger)
        {
            // Started because a lead was won or lost (GoogleLsaFeedbackQueue): only the feedback page; the cursor stays.
            return new SyncPlan(FeedbackPage, null);
        }

        var settings = GoogleLsaSettings.Read(context.Settings);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        // Creation times are in the account's time zone: a day of overlap either side covers any zone; seen leads are unchanged.
        var from = DateOnly.TryParseExact(context.Cursor, "yyyy-MM-dd", out var last)
            ? last.AddDays(-Math.Max(1, settings.RevisitDays))
            : today.AddDays(-settings.LookbackDays - 1);
        return new SyncPlan(LeadsPage(from, null), today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    public async Task<ConnectorPage> SyncPageAsync(ConnectorContext context, string page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(page);
        var settings = GoogleLsaSettings.Read(context.Settings);
        if (page == FeedbackPage)
        {
            return await FeedbackAsync(context, settings, cancellationToken);
        }

        var parts = page.Split('|', 3);
        if (parts.Length != 3 || parts[0] is not ("leads" or "conversations") || !DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", out var from))
        {
            throw new ConnectorException(ConnectorFailure.InvalidRequest, $"Unknown Local Services sync page '{page}'.");
        }

        var pageToken = parts[2] is { Length: > 0 } token ? token : null;
        if (parts[0] == "conversations")
        {
            return await ConversationsAsync(context, settings, from, pageToken, cancellationToken);
        }

        var found = await client.SearchAsync(context, settings, GoogleLsaQuery.LeadsCreatedSince(from), pageToken, cancellationToken);
        var counts = await StoreAsync(context, settings, found.Results ?? [], cancellationToken);
        // The leads' conversations next, so that a conversation finds its lead already stored.
        var next = found.NextPageToken is { Length: > 0 } nextToken ? LeadsPage(from, nextToken) : ConversationsPage(from, null);
        return counts with { NextPage = next };
    }

    public OAuthClientSettings Client(JsonElement settings) => client.OAuthClient();

    public JsonElement AcceptCallback(JsonElement settings, IReadOnlyDictionary<string, string> parameters, ValidationErrors errors) => settings;

    /// <summary>What a StreamFlow outcome tells Google: won is a booked customer; lost is neutral unless its reason names a bad lead.</summary>
    internal static LeadFeedback FeedbackFor(string outcome, string? lostReason)
    {
        if (outcome == "won")
        {
            return new LeadFeedback("VERY_SATISFIED", "BOOKED_CUSTOMER", null, null);
        }

        var reason = lostReason?.ToLowerInvariant() ?? "";
        string? Has(string dissatisfied, params string[] words) => words.Any(w => reason.Contains(w, StringComparison.Ordinal)) ? dissatisfied : null;
        var bad = Has("SPAM", "spam", "robocall", "scam") ?? Has("DUPLICATE", "duplicate") ?? Has("SOLICITATION", "solicit", "sales call", "job seeker")
            ?? Has("GEO_MISMATCH", "outside", "service area", "too far") ?? Has("JOB_TYPE_MISMATCH", "don't offer", "do not offer", "not a service", "wrong service");
        return bad is null ? new LeadFeedback("NEUTRAL", null, null, null)
            : new LeadFeedback(bad == "SPAM" ? "VERY_DISSATISFIED" : "DISSATISFIED", null, bad, null);
    }

    private static string LeadsPage(DateOnly from, string? token) => $"leads|{from:yyyy-MM-dd}|{token}";

    private static string ConversationsPage(DateOnly from, string? token) => $"conversations|{from:yyyy-MM-dd}|{token}";

    /// <summary>
    /// One page of the leads' conversations (calls, messages, bookings) since the window's first day, each added once to
    /// its lead's timeline (activity kind <c>conversation</c>, actor the connection). A conversation of a lead this
    /// connection never stored, or of a deleted lead, is skipped.
    /// </summary>
    private async Task<ConnectorPage> ConversationsAsync(ConnectorContext context, GoogleLsaSettings settings, DateOnly from, string? pageToken, CancellationToken cancellationToken)
    {
        var found = await client.SearchConversationsAsync(context, settings, GoogleLsaQuery.ConversationsSince(from), pageToken, cancellationToken);
        var rows = found.Results ?? [];
        var entries = rows.Select(row => LsaConversationEntry.From(row.Conversation!)).OfType<LsaConversationEntry>().ToList();
        var leads = await writer.KnownAsync(context.TenantId, SourceName, entries.Select(e => e.LeadResourceName).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        var now = time.GetUtcNow();
        var added = entries.Count == 0 ? 0 : await database.InTenantAsync(context.TenantId, async scope =>
        {
            var count = 0;
            foreach (var entry in entries)
            {
                if (leads.TryGetValue(entry.LeadResourceName, out var leadId)
                    && await GoogleLsaConversationStore.AddOnceAsync(scope, context.TenantId, leadId, entry, $"connection:{context.ConnectionId}", now))
                {
                    count++;
                }
            }

            return count;
        }, cancellationToken);

        var next = found.NextPageToken is { Length: > 0 } nextToken ? ConversationsPage(from, nextToken) : settings.SendFeedback ? FeedbackPage : null;
        return new ConnectorPage(rows.Count, 0, added, entries.Count - added, rows.Count - entries.Count, next);
    }

    private async Task<ConnectorPage> StoreAsync(ConnectorContext context, GoogleLsaSettings settings, IReadOnlyList<GoogleAdsRow> rows, CancellationToken cancellationToken)
    {
        static bool Valid(LocalServicesLead? lead) => lead?.ResourceName is { Length: > 0 and <= 200 } name && name.Contains("/localServicesLeads/", StringComparison.Ordinal);
        var valid = rows.Select(r => r.LocalServicesLead).Where(Valid).GroupBy(l => l!.ResourceName!, StringComparer.Ordinal).Select(g => g.Last()!).ToList();
        var known = await writer.KnownAsync(context.TenantId, SourceName, valid.Select(l => l.ResourceName!).ToList(), cancellationToken);
        var outcomes = new ConcurrentBag<SourceWriteOutcome>();
        await Parallel.ForEachAsync(valid, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (lead, token) =>
            outcomes.Add(await writer.WriteAsync(context.TenantId, SourceName, context.ConnectionId, GoogleLsaLead.ToRecord(lead, settings),
                known.TryGetValue(lead.ResourceName!, out var leadId) ? leadId : null, token, mergeByContact: true)));

        int Count(SourceWrite write) => outcomes.Count(o => o.Write == write);
        return new ConnectorPage(rows.Count, Count(SourceWrite.Created), Count(SourceWrite.Updated), Count(SourceWrite.Unchanged) + Count(SourceWrite.Skipped),
            Count(SourceWrite.Failed) + rows.Count(r => !Valid(r.LocalServicesLead)), null);
    }

    /// <summary>
    /// Sends the outcome of up to <see cref="GoogleLsaOptions.FeedbackPerPage"/> closed leads, each recorded in the id map
    /// as it is sent (a page that runs again sends only the rest). Google refusing one lead's feedback (400: already given
    /// in Google's own app, or too old) is logged as failed for that lead and not tried again.
    /// </summary>
    private async Task<ConnectorPage> FeedbackAsync(ConnectorContext context, GoogleLsaSettings settings, CancellationToken cancellationToken)
    {
        if (!settings.SendFeedback)
        {
            return new ConnectorPage(0, 0, 0, 0, 0, null);
        }

        var limit = Math.Clamp(options.Value.FeedbackPerPage, 1, 1000);
        var closed = await database.InTenantAsync(context.TenantId, scope => GoogleLsaFeedbackStore.ClosedAsync(scope, SourceName, context.ConnectionId, FeedbackEntity, limit), cancellationToken);
        var refused = 0;
        foreach (var lead in closed)
        {
            var feedback = FeedbackFor(lead.Outcome, lead.LostReason);
            string status, action;
            string? reason = null;
            try
            {
                var decision = await client.ProvideLeadFeedbackAsync(context, settings, lead.ResourceName, feedback, cancellationToken);
                (status, action) = (decision?.ToLowerInvariant() ?? "sent", "updated");
                var why = feedback.SatisfiedReason ?? feedback.DissatisfiedReason;
                reason = why is null ? $"{lead.Outcome}: {feedback.SurveyAnswer}" : $"{lead.Outcome}: {feedback.SurveyAnswer} ({why})";
            }
            catch (ConnectorException refusal) when (refusal.Failure == ConnectorFailure.InvalidRequest)
            {
                (status, action, reason) = ("refused", "failed", refusal.Message);
                refused++;
            }

            await records.SaveAsync(context, new ConnectorRecord(FeedbackEntity, lead.LeadId, lead.ResourceName, null, feedback.SurveyAnswer, status, null, null,
                DateTimeOffset.MinValue, DateTimeOffset.MinValue), action, reason, cancellationToken);
        }

        // Feedback changes no lead here: what was sent is in the sync log; a refusal counts as a failed item.
        return new ConnectorPage(0, 0, 0, 0, refused, closed.Count == limit ? FeedbackPage : null);
    }
}
