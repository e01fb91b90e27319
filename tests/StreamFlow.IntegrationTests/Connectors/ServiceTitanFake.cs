using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace StreamFlow.IntegrationTests.Connectors;

/// <summary>
/// ServiceTitan as its developer documentation describes it: POST /connect/token on the auth host (client_credentials,
/// client_id and client_secret as form fields, 15-minute tokens); tenant-scoped GET /crm/v2/tenant/{tenant}/customers,
/// /crm/v2/tenant/{tenant}/locations and /jpm/v2/tenant/{tenant}/jobs with Authorization: Bearer and ST-App-Key, paged by
/// page (1-based) and pageSize (1 to 5000) with hasMore, filtered by modifiedOnOrAfter. Records are generated from their
/// index on each request (nothing large is held), so the fake serves 70,000 of them with flat memory.
/// </summary>
internal sealed partial class ServiceTitanFake : IDisposable
{
    public const string Tenant = "4471123";
    public const string ClientId = "cid.st-test-client";
    public const string ClientSecret = "cs1.st-test-secret";
    public const string AppKey = "ak1.st-test-app-key";
    private static readonly DateTimeOffset Imported = new(2026, 1, 15, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Statuses = ["Completed", "Completed", "Canceled", "Scheduled", "Completed", "InProgress"];
    private readonly ConcurrentDictionary<string, bool> _tokens = new();
    private readonly ConcurrentDictionary<(string Entity, int Index), (DateTimeOffset ModifiedOn, string? Status)> _changes = new();
    private readonly ConcurrentDictionary<int, string> _locationNames = new();

    public ServiceTitanFake(int customers, int jobs, int? port = null)
    {
        (Customers, Jobs) = (customers, jobs);
        Server = port is { } fixedPort ? WireMockServer.Start(fixedPort) : WireMockServer.Start();
        Server.Given(Request.Create().WithPath("/connect/token").UsingPost()).AtPriority(100).RespondWith(Response.Create().WithCallback(Token));
        Server.Given(Request.Create().WithPath(new RegexMatcher("^/crm/v2/tenant/[^/]+/booking-provider/[^/]+/bookings$")).UsingAnyMethod()).AtPriority(50)
            .RespondWith(Response.Create().WithCallback(Bookings));
        Server.Given(Request.Create().WithPath(new RegexMatcher("^/crm/v2/tenant/[^/]+/booking-provider/[^/]+/bookings/[0-9]+$")).UsingPatch()).AtPriority(50)
            .RespondWith(Response.Create().WithCallback(UpdateBooking));
        Server.Given(Request.Create().WithPath(new RegexMatcher("^/(crm|jpm)/v2/tenant/.*")).UsingGet()).AtPriority(100).RespondWith(Response.Create().WithCallback(List));
    }

    public const string BookingProvider = "85648468";

    /// <summary>Bookings created through the booking-provider API, by externalId.</summary>
    public ConcurrentDictionary<string, JsonObject> BookingsCreated { get; } = new();

    /// <summary>How many booking POSTs arrived (a repeat of a known externalId would be a second booking).</summary>
    public int BookingPosts => _bookingPosts;

    private int _bookingPosts;
    private int _loseNextBookingAnswer;

    /// <summary>The next booking is created, but its answer is lost (a 504 from the gateway after the commit).</summary>
    public void LoseNextBookingAnswer() => Interlocked.Exchange(ref _loseNextBookingAnswer, 1);

    private ResponseMessage Bookings(IRequestMessage request)
    {
        string? Header(string name) => request.Headers?.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        if (Header("Authorization") is not { } auth || !auth.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(auth[7..]) || Header("ST-App-Key") != AppKey)
        {
            return Json(401, """{"title":"Unauthorized","status":401}""");
        }

        if (!request.Path.Contains($"/tenant/{Tenant}/booking-provider/{BookingProvider}/", StringComparison.Ordinal))
        {
            return Json(404, """{"title":"Booking provider not found","status":404}""");
        }

        if (request.Method == "GET")
        {
            var externalId = request.Query is { } query && query.TryGetValue("externalId", out var values) ? values.FirstOrDefault() : null;
            var found = externalId is not null && BookingsCreated.TryGetValue(externalId, out var booking) ? new JsonArray(booking.DeepClone()) : new JsonArray();
            return Json(200, new JsonObject { ["page"] = 1, ["pageSize"] = 1, ["hasMore"] = false, ["data"] = found }.ToJsonString());
        }

        Interlocked.Increment(ref _bookingPosts);
        var body = JsonNode.Parse(request.Body ?? "{}")!.AsObject();
        if (body["source"] is null || body["summary"] is null || body["name"] is null || body["externalId"]?.GetValue<string>() is not { Length: > 0 } external)
        {
            return Json(400, """{"title":"One or more validation errors occurred.","status":400,"errors":{"summary":["The Summary field is required."]}}""");
        }

        var created = body.DeepClone().AsObject();
        created["id"] = 9_000_000 + BookingsCreated.Count + 1;
        created["status"] = "New";
        BookingsCreated[external] = created;
        return Interlocked.Exchange(ref _loseNextBookingAnswer, 0) == 1
            ? Json(504, """{"title":"Gateway Timeout","status":504}""")
            : Json(200, created.ToJsonString());
    }

    /// <summary>Booking PATCHes that changed a booking (the documented update: the fields sent replace those stored).</summary>
    public int BookingUpdates => _bookingUpdates;

    private int _bookingUpdates;

    /// <summary>The CSR dismissed the booking of <paramref name="externalId"/>: ServiceTitan refuses changes to it.</summary>
    public void DismissBooking(string externalId) => BookingsCreated[externalId]["status"] = "Dismissed";

    private ResponseMessage UpdateBooking(IRequestMessage request)
    {
        string? Header(string name) => request.Headers?.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        if (Header("Authorization") is not { } auth || !auth.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(auth[7..]) || Header("ST-App-Key") != AppKey)
        {
            return Json(401, """{"title":"Unauthorized","status":401}""");
        }

        var id = request.Path[(request.Path.LastIndexOf('/') + 1)..];
        var booking = BookingsCreated.Values.FirstOrDefault(b => b["id"]!.ToJsonString() == id);
        if (booking is null)
        {
            return Json(404, """{"title":"Booking not found","status":404}""");
        }

        if (booking["status"]?.GetValue<string>() == "Dismissed")
        {
            return Json(400, """{"title":"One or more validation errors occurred.","status":400,"errors":{"status":["A dismissed booking cannot be changed."]}}""");
        }

        foreach (var (key, value) in JsonNode.Parse(request.Body ?? "{}")!.AsObject().ToList())
        {
            booking[key] = value?.DeepClone();
        }

        Interlocked.Increment(ref _bookingUpdates);
        return Json(200, booking.ToJsonString());
    }

    public WireMockServer Server { get; }

    public string Url => Server.Url!;

    public int Customers { get; }

    public int Jobs { get; }

    public int TokensIssued { get; private set; }

    public void ExpireTokens() => _tokens.Clear();

    /// <summary>Someone changes job <paramref name="index"/> in ServiceTitan now.</summary>
    public void ChangeJob(int index, string status) => _changes[("jobs", index)] = (DateTimeOffset.UtcNow, status);

    /// <summary>Someone renames location <paramref name="index"/> in ServiceTitan now (its customer is not changed).</summary>
    public void ChangeLocation(int index, string name)
    {
        _changes[("locations", index)] = (DateTimeOffset.UtcNow, null);
        _locationNames[index] = name;
    }

    public static long CustomerId(int index) => 1_000_000 + index;

    public static long LocationId(int index) => 3_000_000 + index;

    public static long JobId(int index) => 5_000_000 + index;

    public void Dispose() => Server.Stop();

    private ResponseMessage Token(IRequestMessage request)
    {
        var form = (request.Body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair.ElementAtOrDefault(1)?.Replace('+', ' ') ?? ""));
        if (form.GetValueOrDefault("grant_type") != "client_credentials" || form.GetValueOrDefault("client_id") != ClientId || form.GetValueOrDefault("client_secret") != ClientSecret)
        {
            return Json(400, """{"error":"invalid_client"}""");
        }

        var token = $"st-access-{Guid.NewGuid():N}";
        _tokens[token] = true;
        TokensIssued++;
        return Json(200, new JsonObject { ["access_token"] = token, ["expires_in"] = 900, ["token_type"] = "Bearer", ["scope"] = "tn.crm.customers:r" }.ToJsonString());
    }

    private ResponseMessage List(IRequestMessage request)
    {
        string? Query(string name) => request.Query is { } query && query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;
        string? Header(string name) => request.Headers?.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        if (Header("Authorization") is not { } auth || !auth.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(auth[7..]))
        {
            return Json(401, """{"type":"https://tools.ietf.org/html/rfc7235#section-3.1","title":"Unauthorized","status":401}""");
        }

        if (Header("ST-App-Key") != AppKey)
        {
            return Json(401, """{"title":"Application key is missing or invalid","status":401}""");
        }

        var match = ListPath().Match(request.Path);
        if (!match.Success || match.Groups["tenant"].Value != Tenant)
        {
            return Json(404, """{"title":"Tenant not found","status":404}""");
        }

        var page = int.TryParse(Query("page") ?? "1", out var p) ? p : 0;
        var pageSize = int.TryParse(Query("pageSize") ?? "50", out var s) ? s : 0;
        if (page < 1 || pageSize is < 1 or > 5000)
        {
            return Json(400, """{"title":"One or more validation errors occurred.","status":400,"errors":{"pageSize":["The field PageSize must be between 1 and 5000."]}}""");
        }

        DateTimeOffset? since = Query("modifiedOnOrAfter") is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : null;
        var entity = match.Groups["entity"].Value;
        var count = entity == "jobs" ? Jobs : Customers;
        IEnumerable<int> indexes = Enumerable.Range(0, count);
        if (since is { } after)
        {
            indexes = indexes.Where(i => Modified(entity, i) >= after);
        }

        var slice = indexes.Skip((page - 1) * pageSize).Take(pageSize + 1).ToList();
        var data = new JsonArray(slice.Take(pageSize).Select(i => (JsonNode)Record(entity, i)).ToArray());
        var body = new StringBuilder(64 + (data.Count * 300));
        body.Append(new JsonObject { ["page"] = page, ["pageSize"] = pageSize, ["hasMore"] = slice.Count > pageSize, ["totalCount"] = null, ["data"] = data }.ToJsonString());
        return Json(200, body.ToString());
    }

    private DateTimeOffset Modified(string entity, int index) => _changes.TryGetValue((entity, index), out var change) ? change.ModifiedOn : Imported;

    private JsonObject Record(string entity, int index)
    {
        var address = new JsonObject
        {
            ["street"] = $"{100 + index} Oak St", ["unit"] = null, ["city"] = index % 2 == 0 ? "Austin" : "Round Rock", ["state"] = "TX",
            ["zip"] = index % 2 == 0 ? "78701" : "78664", ["country"] = "USA",
        };
        var modified = Modified(entity, index).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return entity switch
        {
            "customers" => new JsonObject
            {
                ["id"] = CustomerId(index), ["active"] = true, ["name"] = index % 5 == 0 ? $"Oakridge Dental {index}" : $"Jordan Lee{index}",
                ["type"] = index % 5 == 0 ? "Commercial" : "Residential", ["address"] = address, ["balance"] = 0, ["doNotMail"] = false,
                ["createdOn"] = "2025-03-01T10:00:00Z", ["modifiedOn"] = modified,
            },
            "locations" => new JsonObject
            {
                ["id"] = LocationId(index), ["customerId"] = CustomerId(index), ["active"] = true,
                ["name"] = _locationNames.TryGetValue(index, out var renamed) ? renamed : index % 5 == 0 ? "Main office" : "Home",
                ["address"] = address, ["createdOn"] = "2025-03-01T10:00:00Z", ["modifiedOn"] = modified,
            },
            _ => new JsonObject
            {
                ["id"] = JobId(index), ["jobNumber"] = (70_000 + index).ToString(CultureInfo.InvariantCulture), ["customerId"] = CustomerId(index % Math.Max(1, Customers)),
                ["locationId"] = 3_000_000 + (index % Math.Max(1, Customers)), ["jobStatus"] = _changes.TryGetValue(("jobs", index), out var change) && change.Status is { } status ? status : Statuses[index % Statuses.Length],
                ["completedOn"] = Statuses[index % Statuses.Length] == "Completed" ? "2025-06-01T15:00:00Z" : null, ["businessUnitId"] = 12, ["jobTypeId"] = 40 + (index % 3),
                ["priority"] = "Normal", ["campaignId"] = 9, ["summary"] = "AC not cooling", ["createdOn"] = "2025-05-30T09:00:00Z", ["modifiedOn"] = modified,
            },
        };
    }

    private static ResponseMessage Json(int status, string body) => new()
    {
        StatusCode = status,
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
    };

    [GeneratedRegex("^/(crm|jpm)/v2/tenant/(?<tenant>[^/]+)/(?<entity>customers|locations|jobs)$")]
    private static partial Regex ListPath();
}
