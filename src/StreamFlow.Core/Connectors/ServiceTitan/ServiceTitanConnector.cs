using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.LeadSources;

namespace StreamFlow.Core.Connectors.ServiceTitan;

/// <summary>
/// ServiceTitan (kind <c>servicetitan</c>): the business's history in as leads the scoring model learns from. A sync pages
/// through locations (kept until their customer is written), customers (each a lead, with its locations as attributes) and jobs (each a lead
/// for its customer: a completed job is won, a canceled one lost), modified on or after the last completed sync.
/// Records are matched by their ServiceTitan id (<see cref="SourceLeadWriter"/>, source <c>servicetitan</c>). With a
/// <c>bookingProviderId</c> setting, the sync then exports StreamFlow's own open leads as bookings of that provider, once
/// each (entity <c>booking</c> in the id map).
/// </summary>
public sealed class ServiceTitanConnector(
    ServiceTitanClient client, SourceLeadWriter writer, LeadService leads, ConnectorRecords records, StreamFlowDatabase database, IOptions<ServiceTitanOptions> options,
    TimeProvider time) : IConnector
{
    public const string KindName = "servicetitan";
    public const string SourceName = "servicetitan";
    private const int NewRecordsPerTransaction = 250;
    private static readonly string[] Entities = ["locations", "customers", "jobs"];
    private const string PendingLocationsPage = "locations-pending:";
    private static readonly string[] RequiredCredentials = ["clientId", "clientSecret", "appKey"];
    private const string BookingsPage = "bookings:";
    private const string BookingEntity = "booking";

    public string Kind => KindName;

    public JsonElement Validate(JsonElement settings, IReadOnlyDictionary<string, string>? credentials, bool creating, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var stored = new JsonObject();
        foreach (var property in settings.EnumerateObject())
        {
            switch (property.Name)
            {
                case "tenantId" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 and <= 20 } id && id.All(char.IsAsciiDigit):
                    stored["tenantId"] = id;
                    break;
                case "currency" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: 3 } code && code.All(char.IsAsciiLetterUpper):
                    stored["currency"] = code;
                    break;
                case "bookingProviderId" or "bookingCampaignId" when property.Value.ValueKind == JsonValueKind.String
                    && property.Value.GetString() is { Length: > 0 and <= 20 } digits && digits.All(char.IsAsciiDigit):
                    stored[property.Name] = digits;
                    break;
                case "bookingsFrom" when property.Value.ValueKind == JsonValueKind.String
                    && DateOnly.TryParseExact(property.Value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                    stored["bookingsFrom"] = property.Value.GetString();
                    break;
                case "bookingProviderId" or "bookingCampaignId":
                    errors.Add($"settings.{property.Name}", "must be a ServiceTitan id (digits) as a string.");
                    break;
                case "bookingsFrom":
                    errors.Add("settings.bookingsFrom", "must be a date (YYYY-MM-DD): leads created from then on are exported as bookings.");
                    break;
                case "tenantId":
                    errors.Add("settings.tenantId", "must be the ServiceTitan tenant id (digits) as a string.");
                    break;
                case "currency":
                    errors.Add("settings.currency", "must be a three-letter ISO 4217 code such as USD.");
                    break;
                default:
                    errors.Add($"settings.{property.Name}", "is not a ServiceTitan setting (tenantId, currency, bookingProviderId, bookingCampaignId, bookingsFrom).");
                    break;
            }
        }

        if (stored["tenantId"] is null && !settings.TryGetProperty("tenantId", out _))
        {
            errors.Add("settings.tenantId", "is required: the ServiceTitan tenant id.");
        }

        // A change may bring one credential alone (they are merged by name); a new connection needs all three.
        foreach (var name in creating ? RequiredCredentials : [])
        {
            if (credentials?.GetValueOrDefault(name) is not { Length: > 0 and <= 500 } value || value.Any(char.IsWhiteSpace))
            {
                errors.Add($"credentials.{name}", "is required: the tenant's client id and secret and the app's ST-App-Key from ServiceTitan's developer portal.");
            }
        }

        return JsonSerializer.SerializeToElement(stored);
    }

    public async Task<string> TestAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var page = await client.ListAsync(context, "crm/v2/tenant/{tenant}/customers", 1, 1, null, cancellationToken);
        return $"ServiceTitan accepted the credentials; customers can be read{(page.HasMore || page.Data!.Count > 0 ? "" : " (none yet)")}.";
    }

    public SyncPlan Plan(ConnectorContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new SyncPlan($"{Entities[0]}:1", now.ToString("O", CultureInfo.InvariantCulture));
    }

    public async Task<ConnectorPage> SyncPageAsync(ConnectorContext context, string page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(page);
        if (page.StartsWith(PendingLocationsPage, StringComparison.Ordinal)
            && long.TryParse(page[PendingLocationsPage.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var after))
        {
            return await PendingLocationsAsync(context, after, cancellationToken);
        }

        if (page.StartsWith(BookingsPage, StringComparison.Ordinal))
        {
            return await BookingsAsync(context, page.Length > BookingsPage.Length ? page[BookingsPage.Length..] : null, cancellationToken);
        }

        var parts = page.Split(':');
        var entity = Array.IndexOf(Entities, parts[0]);
        if (parts.Length != 2 || entity < 0 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            throw new ConnectorException(ConnectorFailure.InvalidRequest, $"Unknown ServiceTitan sync page '{page}'.");
        }

        DateTimeOffset? since = DateTimeOffset.TryParse(context.Cursor, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var cursor) ? cursor : null;
        var path = entity switch { 0 => "crm/v2/tenant/{tenant}/locations", 1 => "crm/v2/tenant/{tenant}/customers", _ => "jpm/v2/tenant/{tenant}/jobs" };
        var listed = await client.ListAsync(context, path, number, Math.Clamp(options.Value.PageSize, 1, 5000), since, cancellationToken);
        var items = listed.Data!;
        var counts = entity switch
        {
            0 => await StageLocationsAsync(context, items, cancellationToken),
            1 => await CustomersAsync(context, items, cancellationToken),
            _ => await JobsAsync(context, items, cancellationToken),
        };
        var next = listed.HasMore && items.Count > 0 ? $"{Entities[entity]}:{number + 1}"
            : entity == 1 ? $"{PendingLocationsPage}0"
            : entity + 1 < Entities.Length ? $"{Entities[entity + 1]}:1"
            : Setting(context.Settings, "bookingProviderId") is not null ? BookingsPage
            : null;
        return counts with { NextPage = next };
    }

    // StreamFlow's open leads (not those that came from ServiceTitan) become bookings in the provider's inbox, once each:
    // the claim in the id map is taken before the POST; a claim left by a lost answer is looked up by externalId first.
    private async Task<ConnectorPage> BookingsAsync(ConnectorContext context, string? cursor, CancellationToken cancellationToken)
    {
        var provider = Setting(context.Settings, "bookingProviderId")!;
        DateTimeOffset? from = Setting(context.Settings, "bookingsFrom") is { } date
            ? new DateTimeOffset(DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : null;
        var listed = await leads.ListAsync(context.TenantId, new LeadFilter(null, null, null, null, null, from, null, null, false),
            Math.Clamp(options.Value.BookingsPerPage, 1, 500), cursor, cancellationToken);
        var open = listed.Items.Where(l => l.Outcome is null && !string.Equals(l.Source, "ServiceTitan", StringComparison.Ordinal)).ToList();
        var mapped = await records.FindManyAsync(context.TenantId, context.ConnectionId, BookingEntity, open.Select(l => l.Id).ToList(), cancellationToken);
        int created = 0, skipped = listed.Items.Count - open.Count, failed = 0;
        int updated = 0;
        foreach (var lead in open)
        {
            var body = Booking(context.Settings, lead);
            var hash = BookingHash(body);
            if (mapped.GetValueOrDefault(lead.Id) is { RemoteStatus: not "sending" } known)
            {
                if (known.PushedHash == hash || known.PushedHash is null)
                {
                    // Unchanged since it was sent (or booked before changes were tracked: what was sent is not known, so it is the baseline).
                    if (known.PushedHash is null)
                    {
                        await records.SaveAsync(context, known with { PushedHash = hash }, "skipped", "booked before booking changes were tracked; this is its baseline", cancellationToken);
                    }

                    skipped++;
                    continue;
                }

                switch (await UpdateBookingAsync(context, provider, known, body, hash, cancellationToken))
                {
                    case true: updated++; break;
                    default: failed++; break;
                }

                continue;
            }

            var externalId = lead.Id.ToString();
            var now = time.GetUtcNow();
            var fresh = await database.InTenantAsync(context.TenantId, scope => ServiceTitanBookingStore.ClaimAsync(scope, context.TenantId, context.ConnectionId, lead.Id, now),
                cancellationToken);
            long? booking = fresh ? null : await client.FindBookingAsync(context, provider, externalId, cancellationToken);
            string reason = "booked for the provider's review";
            if (booking is null)
            {
                try
                {
                    booking = await client.CreateBookingAsync(context, provider, Booking(context.Settings, lead), cancellationToken);
                }
                catch (ConnectorException failure) when (failure.Failure == ConnectorFailure.InvalidRequest)
                {
                    // ServiceTitan refused this booking (a validation error): nothing was created; the next sync tries again.
                    await database.InTenantAsync(context.TenantId, async scope =>
                    {
                        await ServiceTitanBookingStore.ReleaseAsync(scope, context.ConnectionId, lead.Id);
                        return true;
                    }, cancellationToken);
                    await records.LogAsync(context, BookingEntity, lead.Id, null, "failed", failure.Message, cancellationToken);
                    failed++;
                    continue;
                }
            }
            else
            {
                reason = "found at ServiceTitan by externalId after a lost answer; not created again";
            }

            await records.SaveAsync(context, new ConnectorRecord(BookingEntity, lead.Id, booking.Value.ToString(CultureInfo.InvariantCulture), null, hash, "booked", null, null, now, now),
                "created", reason, cancellationToken);
            created++;
        }

        return new ConnectorPage(listed.Items.Count, created, updated, skipped, failed, listed.NextCursor is { } next ? BookingsPage + next : null);
    }

    // The lead changed after its booking was sent: ServiceTitan's documented booking update (PATCH) carries the new name,
    // summary, customer type and address. A refusal (the CSR dismissed or converted the booking) is logged once and the
    // change kept as sent, so the next sync does not ask again until the lead changes again.
    private async Task<bool> UpdateBookingAsync(ConnectorContext context, string provider, ConnectorRecord known, JsonObject body, string hash, CancellationToken cancellationToken)
    {
        var changes = new JsonObject();
        foreach (var field in new[] { "name", "summary", "customerType", "address", "campaignId" })
        {
            if (body[field] is { } value)
            {
                changes[field] = value.DeepClone();
            }
        }

        try
        {
            await client.UpdateBookingAsync(context, provider, known.ExternalId, changes, cancellationToken);
        }
        catch (ConnectorException failure) when (failure.Failure == ConnectorFailure.InvalidRequest)
        {
            await records.SaveAsync(context, known with { PushedHash = hash }, "failed",
                $"the lead changed after its booking was made, and ServiceTitan refused the update: {failure.Message}", cancellationToken);
            return false;
        }

        await records.SaveAsync(context, known with { PushedHash = hash }, "updated", "the lead changed after its booking was made: name, summary, type and address sent again",
            cancellationToken);
        return true;
    }

    private static string BookingHash(JsonObject booking) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(booking.ToJsonString())))[..40];

    /// <summary>A booking as ServiceTitan documents it: source, name, summary, customer type, address, contacts, externalId.</summary>
    internal static JsonObject Booking(JsonElement settings, Lead lead)
    {
        var person = string.Join(' ', new[] { lead.FirstName, lead.LastName }.Where(p => !string.IsNullOrWhiteSpace(p)));
        var name = lead.Company is { Length: > 0 } company ? company : person.Length > 0 ? person : $"StreamFlow lead {lead.Id.ToString()[..8]}";
        var contacts = new JsonArray();
        if (lead.Email is { Length: > 0 } email)
        {
            contacts.Add(new JsonObject { ["type"] = "Email", ["value"] = email, ["memo"] = person.Length > 0 ? person : null });
        }

        if (lead.Phone is { Length: > 0 } phone)
        {
            contacts.Add(new JsonObject { ["type"] = "Phone", ["value"] = phone, ["memo"] = person.Length > 0 ? person : null });
        }

        var booking = new JsonObject
        {
            ["source"] = "StreamFlow",
            ["name"] = Clip(name, 200),
            ["summary"] = Clip(lead.Notes is { Length: > 0 } notes ? notes : $"Lead from {lead.Source ?? "StreamFlow"}", 4000),
            ["customerType"] = lead.Company is { Length: > 0 } ? "Commercial" : "Residential",
            ["isFirstTimeClient"] = true,
            ["isSendConfirmationEmail"] = false,
            ["externalId"] = lead.Id.ToString(),
            ["address"] = new JsonObject
            {
                ["street"] = "", ["city"] = lead.City ?? "", ["state"] = lead.State ?? "", ["zip"] = lead.PostalCode ?? "", ["country"] = lead.Country ?? "USA",
            },
            ["contacts"] = contacts,
        };
        if (Setting(settings, "bookingCampaignId") is { } campaign)
        {
            booking["campaignId"] = long.Parse(campaign, CultureInfo.InvariantCulture);
        }

        return booking;
    }

    private static string? Setting(JsonElement settings, string name) =>
        settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static string? TenantId(JsonElement settings) =>
        settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty("tenantId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    // Locations are read first and kept (servicetitan_locations), so that each customer's lead is written once with them.
    private async Task<ConnectorPage> StageLocationsAsync(ConnectorContext context, IReadOnlyList<JsonElement> locations, CancellationToken cancellationToken)
    {
        var usable = locations.Where(l => Id(l, "id") is not null && Id(l, "customerId") is not null).ToList();
        var valid = usable.GroupBy(l => Id(l, "id")!).Select(g => g.Last())
            .Select(l => new StagedLocation(Number(l, "id"), Number(l, "customerId"), LocationLabel(l))).ToList();
        if (valid.Count > 0)
        {
            var now = time.GetUtcNow();
            await database.InTenantAsync(context.TenantId, async scope =>
            {
                await ServiceTitanImportStore.StageAsync(scope, context.TenantId, context.ConnectionId, valid, now);
                return true;
            }, cancellationToken);
        }

        return new ConnectorPage(locations.Count, 0, 0, 0, locations.Count - usable.Count, null);
    }

    // Customers seen for the first time are created a batch at a time (one transaction each, as SAM.gov notices are), with
    // their staged locations; customers already imported refresh their leads (an unchanged one writes nothing).
    private async Task<ConnectorPage> CustomersAsync(ConnectorContext context, IReadOnlyList<JsonElement> customers, CancellationToken cancellationToken)
    {
        var valid = customers.Where(c => Id(c, "id") is not null).GroupBy(c => Id(c, "id")!).Select(g => g.Last()).ToList();
        var customerIds = valid.Select(c => Number(c, "id")).ToArray();
        var known = await writer.KnownAsync(context.TenantId, SourceName, valid.Select(c => $"customer:{Id(c, "id")}").ToList(), cancellationToken);
        var staged = (await database.InTenantAsync(context.TenantId, scope => ServiceTitanImportStore.OfCustomersAsync(scope, context.ConnectionId, customerIds), cancellationToken))
            .ToLookup(l => l.CustomerId);
        var fresh = valid.Where(c => !known.ContainsKey($"customer:{Id(c, "id")}")).ToList();
        var seen = valid.Where(c => known.ContainsKey($"customer:{Id(c, "id")}")).ToList();
        var outcomes = new List<SourceWriteOutcome>();
        foreach (var batch in fresh.Select(c => CustomerRecord(c, staged[Number(c, "id")])).Chunk(NewRecordsPerTransaction))
        {
            outcomes.AddRange(await writer.WriteNewAsync(context.TenantId, SourceName, context.ConnectionId, batch, cancellationToken));
        }

        outcomes.AddRange(await writer.RefreshManyAsync(context.TenantId, SourceName, context.ConnectionId,
            seen.Select(c => CustomerRecord(c, staged[Number(c, "id")])).Select(r => (r, known[r.ExternalId])).ToList(), cancellationToken));
        var written = fresh.Concat(seen).Zip(outcomes).Where(p => p.Second.Write != SourceWrite.Failed).Select(p => Number(p.First, "id")).ToArray();
        await MarkAppliedAsync(context, written, cancellationToken);
        return Page(customers.Count, outcomes, customers.Count - valid.Count);
    }

    private static SourceRecord CustomerRecord(JsonElement customer, IEnumerable<StagedLocation> locations)
    {
        var fields = CustomerFields(customer);
        foreach (var location in locations)
        {
            fields.Attributes![$"serviceTitanLocation{location.LocationId}"] = JsonSerializer.SerializeToElement(location.Label);
        }

        return new SourceRecord($"customer:{Id(customer, "id")}", fields with { Source = "ServiceTitan" }, fields,
            customer.TryGetProperty("active", out var active) && active.ValueKind == JsonValueKind.False ? "inactive" : "active", null);
    }

    // Locations whose customer was not on this sync's customer pages (the location changed, the customer did not) go on
    // the customer's lead here, the page's customers changed at once; those whose customer is not imported stay staged and are skipped.
    private async Task<ConnectorPage> PendingLocationsAsync(ConnectorContext context, long after, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(options.Value.PageSize, 1, 5000);
        var pending = await database.InTenantAsync(context.TenantId, scope => ServiceTitanImportStore.UnappliedAsync(scope, context.ConnectionId, after, limit), cancellationToken);
        var customerIds = pending.Select(l => l.CustomerId).Distinct().ToArray();
        var known = await writer.KnownAsync(context.TenantId, SourceName, customerIds.Select(id => $"customer:{id}").ToList(), cancellationToken);
        var byCustomer = pending.GroupBy(l => l.CustomerId).ToList();
        var imported = byCustomer.Where(g => known.ContainsKey($"customer:{g.Key}")).ToList();
        var refreshed = await writer.RefreshManyAsync(context.TenantId, SourceName, context.ConnectionId, imported.Select(group =>
        {
            var fields = Blank() with { Attributes = group.ToDictionary(l => $"serviceTitanLocation{l.LocationId}", l => JsonSerializer.SerializeToElement(l.Label)) };
            return (new SourceRecord($"customer:{group.Key}", fields, fields, null, null), known[$"customer:{group.Key}"]);
        }).ToList(), cancellationToken);
        var byGroup = imported.Zip(refreshed).ToDictionary(p => p.First.Key, p => p.Second);
        var outcomes = byCustomer.Select(g => byGroup.GetValueOrDefault(g.Key) ?? new SourceWriteOutcome(SourceWrite.Skipped, null, "its customer is not imported")).ToList();
        await MarkAppliedAsync(context, byCustomer.Zip(outcomes).Where(p => p.Second.LeadId is not null && p.Second.Write != SourceWrite.Failed).Select(p => p.First.Key).ToArray(),
            cancellationToken);
        var next = pending.Count == limit ? $"{PendingLocationsPage}{pending[^1].LocationId.ToString(CultureInfo.InvariantCulture)}" : "jobs:1";
        return Page(0, outcomes, 0) with { NextPage = next };
    }

    private async Task MarkAppliedAsync(ConnectorContext context, long[] customerIds, CancellationToken cancellationToken)
    {
        if (customerIds.Length == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        await database.InTenantAsync(context.TenantId, async scope =>
        {
            await ServiceTitanImportStore.MarkAppliedAsync(scope, context.ConnectionId, customerIds, now);
            return true;
        }, cancellationToken);
    }

    // A job is one sale opportunity of its customer: completed is won, canceled is lost; the others stay open. Jobs seen
    // for the first time are created a batch at a time with their customer's names and address (read for the page at once),
    // already closed; jobs seen before are refreshed (and closed, when they completed or were canceled since) at once.
    // ServiceTitan's job carries no revenue (that is on its invoices): a completed sale is recorded as won at 0.
    private async Task<ConnectorPage> JobsAsync(ConnectorContext context, IReadOnlyList<JsonElement> jobs, CancellationToken cancellationToken)
    {
        var valid = jobs.Where(j => Id(j, "id") is not null).GroupBy(j => Id(j, "id")!).Select(g => g.Last()).ToList();
        var known = await writer.KnownAsync(context.TenantId, SourceName, valid.Select(j => $"job:{Id(j, "id")}").ToList(), cancellationToken);
        var customers = await writer.KnownAsync(context.TenantId, SourceName, valid.Select(j => $"customer:{Id(j, "customerId")}").Distinct().ToList(), cancellationToken);
        var customerLeads = await leads.GetManyAsync(context.TenantId, [.. customers.Values.Distinct()], cancellationToken);
        var currency = context.Settings.TryGetProperty("currency", out var configured) ? configured.GetString()! : "USD";

        SourceRecord JobRecord(JsonElement job)
        {
            var status = Text(job, "jobStatus");
            var attributes = new Dictionary<string, JsonElement>
            {
                ["serviceTitanJobId"] = JsonSerializer.SerializeToElement(Id(job, "id")),
                ["serviceTitanJobNumber"] = JsonSerializer.SerializeToElement(Text(job, "jobNumber")),
                ["serviceTitanJobStatus"] = JsonSerializer.SerializeToElement(status),
                ["serviceTitanCustomerId"] = JsonSerializer.SerializeToElement(Id(job, "customerId")),
                ["serviceTitanJobTypeId"] = JsonSerializer.SerializeToElement(Id(job, "jobTypeId")),
                ["serviceTitanBusinessUnitId"] = JsonSerializer.SerializeToElement(Id(job, "businessUnitId")),
                ["serviceTitanCampaignId"] = JsonSerializer.SerializeToElement(Id(job, "campaignId")),
            };
            var create = customers.TryGetValue($"customer:{Id(job, "customerId")}", out var leadId) && customerLeads.TryGetValue(leadId, out var lead)
                ? Blank() with { FirstName = lead.FirstName, LastName = lead.LastName, Company = lead.Company, City = lead.City, State = lead.State, PostalCode = lead.PostalCode, Country = lead.Country }
                : Blank() with { Company = $"ServiceTitan customer {Id(job, "customerId")}" };
            create = create with { Source = "ServiceTitan", Notes = Clip(Text(job, "summary"), 4000), Attributes = attributes };
            return new SourceRecord($"job:{Id(job, "id")}", create, Blank() with { Attributes = attributes }, status, status == "Canceled" ? "canceled in ServiceTitan" : null,
                Won: status == "Completed" ? Money.Of(0m, currency) : null);
        }

        var fresh = valid.Where(j => !known.ContainsKey($"job:{Id(j, "id")}")).ToList();
        var outcomes = new List<SourceWriteOutcome>();
        foreach (var batch in fresh.Select(JobRecord).Chunk(NewRecordsPerTransaction))
        {
            outcomes.AddRange(await writer.WriteNewAsync(context.TenantId, SourceName, context.ConnectionId, batch, cancellationToken));
        }

        outcomes.AddRange(await writer.RefreshManyAsync(context.TenantId, SourceName, context.ConnectionId,
            valid.Where(j => known.ContainsKey($"job:{Id(j, "id")}")).Select(JobRecord).Select(r => (r, known[r.ExternalId])).ToList(), cancellationToken));
        return Page(jobs.Count, outcomes, jobs.Count - valid.Count);
    }

    private static ConnectorPage Page(int seen, IReadOnlyList<SourceWriteOutcome> outcomes, int invalid)
    {
        int Count(SourceWrite write) => outcomes.Count(o => o.Write == write);
        return new ConnectorPage(seen, Count(SourceWrite.Created), Count(SourceWrite.Updated), Count(SourceWrite.Unchanged) + Count(SourceWrite.Skipped),
            Count(SourceWrite.Failed) + invalid, null);
    }

    private static LeadInput CustomerFields(JsonElement customer)
    {
        var name = Text(customer, "name")?.Trim() ?? "";
        var address = Address(customer);
        var commercial = Text(customer, "type") == "Commercial";
        var split = name.LastIndexOf(' ');
        return Blank() with
        {
            Company = commercial ? Clip(name, 200) : null,
            FirstName = commercial || name.Length == 0 ? null : Clip(split > 0 ? name[..split] : name, 100),
            LastName = commercial || split <= 0 ? null : Clip(name[(split + 1)..], 100),
            City = address.City, State = address.State, PostalCode = address.Zip, Country = address.Country,
            Attributes = new Dictionary<string, JsonElement>
            {
                ["serviceTitanCustomerId"] = JsonSerializer.SerializeToElement(Id(customer, "id")),
                ["serviceTitanCustomerType"] = JsonSerializer.SerializeToElement(Text(customer, "type")),
            },
        };
    }

    private static (string? Street, string? City, string? State, string? Zip, string? Country) Address(JsonElement record) =>
        record.TryGetProperty("address", out var address) && address.ValueKind == JsonValueKind.Object
            ? (Text(address, "street"), Clip(Text(address, "city"), 100), Clip(Text(address, "state"), 50), Clip(Text(address, "zip"), 20), Clip(Text(address, "country"), 60))
            : (null, null, null, null, null);

    private static LeadInput Blank() => new(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    private static string? Id(JsonElement record, string name) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var id)
            ? id.ToString(CultureInfo.InvariantCulture)
            : null;

    private static long Number(JsonElement record, string name) => long.Parse(Id(record, name)!, CultureInfo.InvariantCulture);

    private static string LocationLabel(JsonElement location)
    {
        var address = Address(location);
        return Clip(string.Join(", ", new[] { Text(location, "name"), address.Street, address.City, address.State, address.Zip }.Where(p => !string.IsNullOrWhiteSpace(p))), 1000)!;
    }

    private static string? Text(JsonElement record, string name) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Clip(string? text, int length) => text is { } value && value.Length > length ? value[..length] : text;
}
