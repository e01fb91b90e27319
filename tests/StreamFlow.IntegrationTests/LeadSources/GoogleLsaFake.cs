using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace StreamFlow.IntegrationTests.LeadSources;

/// <summary>
/// Google's OAuth2 token endpoint and the Google Ads API's REST interface as documented, for Local Services leads:
/// <c>POST /token</c> (grant_type=refresh_token; a revoked refresh token is 400 invalid_grant);
/// <c>POST /v21/customers/{id}/googleAds:search</c> with a GAQL query over <c>local_services_lead</c> filtered by
/// <c>creation_date_time &gt;=</c>, answering <c>{results:[{localServicesLead}], nextPageToken, fieldMask}</c> (proto3 JSON:
/// int64 ids as strings; no <c>results</c> member when nothing matched), paged by <c>pageToken</c>; and
/// <c>POST /v21/customers/{id}/localServicesLeads/{leadId}:provideLeadFeedback</c> answering <c>creditIssuanceDecision</c>
/// (feedback is accepted once per lead). Every API call needs a live access token (else 401 UNAUTHENTICATED with a
/// GoogleAdsFailure), the <c>developer-token</c> (else 403) and, when the fake has one, the <c>login-customer-id</c>.
/// The real API returns up to 10,000 rows a page; the fake's smaller <see cref="PageSize"/> exercises paging.
/// </summary>
internal sealed partial class GoogleLsaFake : IDisposable
{
    public const string CustomerId = "1234567890";
    public const string LoginCustomerId = "9876543210";
    public const string DeveloperToken = "dev-token-test-123";
    public const string ClientId = "lsa-client.apps.googleusercontent.com";
    public const string ClientSecret = "lsa-client-secret";
    public const string RefreshToken = "1//lsa-refresh-token";
    private const string FieldMask = "localServicesLead.resourceName,localServicesLead.id,localServicesLead.categoryId,localServicesLead.serviceId,"
        + "localServicesLead.contactDetails,localServicesLead.leadType,localServicesLead.leadStatus,localServicesLead.creationDateTime,localServicesLead.locale,"
        + "localServicesLead.note.description,localServicesLead.leadCharged,localServicesLead.creditDetails.creditState,"
        + "localServicesLead.creditDetails.creditStateLastUpdateDateTime,localServicesLead.leadFeedbackSubmitted";
    private static readonly string[] Types = ["PHONE_CALL", "MESSAGE", "BOOKING"];
    private readonly ConcurrentDictionary<string, bool> _accessTokens = new();
    private readonly ConcurrentDictionary<int, string> _credits = new();
    private readonly DateTime _now = DateTime.UtcNow;
    private int _throttles;
    private int _tokensIssued;
    private int _feedbackFailures;
    private int _feedbackFailureStatus;

    public GoogleLsaFake(int leads, int pageSize)
    {
        (Leads, PageSize) = (leads, pageSize);
        Server = WireMockServer.Start();
        Server.Given(Request.Create().WithPath("/token").UsingPost()).AtPriority(100).RespondWith(Response.Create().WithCallback(Token));
        Server.Given(Request.Create().WithPath(new RegexMatcher($"^/v21/customers/{CustomerId}/googleAds:search$")).UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithCallback(Search));
        Server.Given(Request.Create().WithPath(new RegexMatcher($"^/v21/customers/{CustomerId}/localServicesLeads/[0-9]+:provideLeadFeedback$")).UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithCallback(Feedback));
    }

    public WireMockServer Server { get; }

    public string Url => Server.Url!;

    public int Leads { get; }

    public int PageSize { get; }

    public int TokensIssued => _tokensIssued;

    public bool RefreshTokenRevoked { get; set; }

    /// <summary>Every access token is refused (401), even a fresh one.</summary>
    public bool RefuseAllAccessTokens { get; set; }

    /// <summary>Feedback received per lead id: the request bodies.</summary>
    public ConcurrentDictionary<long, JsonObject> FeedbackReceived { get; } = new();

    public static long LeadId(int index) => 5_000_000_000 + index;

    public static string ResourceName(int index) => $"customers/{CustomerId}/localServicesLeads/{LeadId(index)}";

    public void ExpireAccessTokens() => _accessTokens.Clear();

    /// <summary>Google credits lead <paramref name="index"/> back (the advertiser disputed it).</summary>
    public void Credit(int index) => _credits[index] = "CREDITED";

    /// <summary>Whether the leads have conversations (<c>local_services_lead_conversation</c>); none by default.</summary>
    public bool Conversations { get; set; }

    /// <summary>The next <paramref name="count"/> searches answer 429 RESOURCE_EXHAUSTED with Retry-After.</summary>
    public void Throttle(int count) => _throttles = count;

    /// <summary>The next <paramref name="count"/> feedback calls answer <paramref name="status"/>: 503 UNAVAILABLE, or 429 RESOURCE_EXHAUSTED with Retry-After.</summary>
    public void FailFeedback(int count, int status) => (_feedbackFailureStatus, _feedbackFailures) = (status, count);

    public void Dispose() => Server.Stop();

    private JsonObject Lead(int index)
    {
        var type = Types[index % 3];
        var created = _now.AddHours(-index);
        var contact = new JsonObject { ["phoneNumber"] = $"+1512555{index % 10_000:0000}", ["consumerName"] = $"Casey Morgan{index}" };
        if (type != "PHONE_CALL")
        {
            contact["email"] = $"casey{index}@example.com";
        }

        var lead = new JsonObject
        {
            ["resourceName"] = ResourceName(index),
            ["id"] = LeadId(index).ToString(CultureInfo.InvariantCulture),
            ["categoryId"] = index % 2 == 0 ? "xcat:service_area_business_hvac" : "xcat:service_area_business_plumber",
            ["serviceId"] = index % 2 == 0 ? "ac_repair" : "drain_cleaning",
            ["contactDetails"] = contact,
            ["leadType"] = type,
            ["leadStatus"] = index % 5 == 0 ? "BOOKED" : "NEW",
            ["creationDateTime"] = created.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["locale"] = "en_US",
            ["leadCharged"] = index % 4 != 0,
            ["leadFeedbackSubmitted"] = FeedbackReceived.ContainsKey(LeadId(index)),
        };
        if (_credits.TryGetValue(index, out var credit))
        {
            lead["creditDetails"] = new JsonObject { ["creditState"] = credit, ["creditStateLastUpdateDateTime"] = _now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) };
        }

        return lead;
    }

    private ResponseMessage Token(IRequestMessage request)
    {
        var form = (request.Body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair.ElementAtOrDefault(1)?.Replace('+', ' ') ?? ""));
        // Google takes the client's id and secret as form fields or as HTTP Basic.
        var basic = request.Headers?.TryGetValue("Authorization", out var values) == true && values.FirstOrDefault() is { } header && header.StartsWith("Basic ", StringComparison.Ordinal)
            ? Uri.UnescapeDataString(Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2)[0]) + ":" + Uri.UnescapeDataString(Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2)[1])
            : $"{form.GetValueOrDefault("client_id")}:{form.GetValueOrDefault("client_secret")}";
        if (basic != $"{ClientId}:{ClientSecret}")
        {
            return Json(401, """{"error":"invalid_client","error_description":"The OAuth client was not found."}""");
        }

        if (form.GetValueOrDefault("grant_type") != "refresh_token" || form.GetValueOrDefault("refresh_token") != RefreshToken || RefreshTokenRevoked)
        {
            return Json(400, """{"error":"invalid_grant","error_description":"Token has been expired or revoked."}""");
        }

        var token = $"ya29.{Guid.NewGuid():N}";
        _accessTokens[token] = true;
        Interlocked.Increment(ref _tokensIssued);
        return Json(200, new JsonObject { ["access_token"] = token, ["expires_in"] = 3599, ["scope"] = "https://www.googleapis.com/auth/adwords", ["token_type"] = "Bearer" }.ToJsonString());
    }

    private ResponseMessage Search(IRequestMessage request)
    {
        if (Refused(request) is { } refused)
        {
            return refused;
        }

        if (Interlocked.Decrement(ref _throttles) >= 0)
        {
            var throttled = Failure(429, "RESOURCE_EXHAUSTED", "Too many requests. Retry in 1 seconds.", """{"quotaError":"RESOURCE_TEMPORARILY_EXHAUSTED"}""");
            throttled.AddHeader("Retry-After", "1");
            return throttled;
        }

        var body = JsonNode.Parse(request.Body ?? "{}")!.AsObject();
        var query = body["query"]?.GetValue<string>() ?? "";
        if (query.Contains("FROM local_services_lead_conversation ", StringComparison.Ordinal) && !body.ContainsKey("pageSize"))
        {
            return ConversationPage(body);
        }

        if (!query.Contains("FROM local_services_lead ", StringComparison.Ordinal) || body.ContainsKey("pageSize"))
        {
            return Failure(400, "INVALID_ARGUMENT", "Error in query: unexpected input.", """{"queryError":"UNEXPECTED_INPUT"}""");
        }

        var since = SinceRegex().Match(query) is { Success: true } match ? DateTime.ParseExact(match.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : DateTime.MinValue;
        var limit = LimitRegex().Match(query) is { Success: true } l ? int.Parse(l.Groups[1].Value, CultureInfo.InvariantCulture) : int.MaxValue;
        var offset = body["pageToken"]?.GetValue<string>() is { } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture) : 0;
        // Oldest first, as ORDER BY creation_date_time ASC asks: index Leads-1 is the oldest.
        var matching = Enumerable.Range(0, Leads).Reverse().Where(i => _now.AddHours(-i) >= since).Take(limit).ToList();
        var page = matching.Skip(offset).Take(PageSize).ToList();
        var answer = new JsonObject();
        if (page.Count > 0)
        {
            answer["results"] = new JsonArray(page.Select(i => (JsonNode)new JsonObject { ["localServicesLead"] = Lead(i) }).ToArray());
        }

        if (offset + page.Count < matching.Count)
        {
            answer["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Count).ToString(CultureInfo.InvariantCulture)));
        }

        answer["fieldMask"] = FieldMask;
        answer["queryResourceConsumption"] = "52";
        return Json(200, answer.ToJsonString());
    }

    /// <summary>
    /// With <see cref="Conversations"/>: one conversation per lead — a call for a phone lead (a minute plus the index in
    /// seconds, recorded when the index is even), a message for the others (an attachment when the index is 1 mod 4) —
    /// and one of a lead Google never listed (index 9999); paged like the leads.
    /// </summary>
    private ResponseMessage ConversationPage(JsonObject body)
    {
        var all = Conversations ? Enumerable.Range(0, Leads).Reverse().Append(9999).ToList() : [];
        var offset = body["pageToken"]?.GetValue<string>() is { } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture) : 0;
        var page = all.Skip(offset).Take(PageSize).ToList();
        var answer = new JsonObject();
        if (page.Count > 0)
        {
            answer["results"] = new JsonArray(page.Select(i => (JsonNode)new JsonObject { ["localServicesLeadConversation"] = Conversation(i) }).ToArray());
        }

        if (offset + page.Count < all.Count)
        {
            answer["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Count).ToString(CultureInfo.InvariantCulture)));
        }

        answer["fieldMask"] = "localServicesLeadConversation.resourceName,localServicesLeadConversation.id,localServicesLeadConversation.conversationChannel,"
            + "localServicesLeadConversation.participantType,localServicesLeadConversation.lead,localServicesLeadConversation.eventDateTime,"
            + "localServicesLeadConversation.phoneCallDetails.callDurationMillis,localServicesLeadConversation.phoneCallDetails.callRecordingUrl,"
            + "localServicesLeadConversation.messageDetails.text,localServicesLeadConversation.messageDetails.attachmentUrls";
        return Json(200, answer.ToJsonString());
    }

    public static long ConversationId(int index) => 7_000_000_000 + index;

    private JsonObject Conversation(int index)
    {
        var id = ConversationId(index).ToString(CultureInfo.InvariantCulture);
        var conversation = new JsonObject
        {
            ["resourceName"] = $"customers/{CustomerId}/localServicesLeadConversations/{id}",
            ["id"] = id,
            ["lead"] = ResourceName(index),
            ["participantType"] = "CONSUMER",
            ["eventDateTime"] = _now.AddHours(-index).AddMinutes(1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        };
        if (Types[index % 3] == "PHONE_CALL")
        {
            conversation["conversationChannel"] = "PHONE_CALL";
            var call = new JsonObject { ["callDurationMillis"] = ((60 + index) * 1000L).ToString(CultureInfo.InvariantCulture) };
            if (index % 2 == 0)
            {
                call["callRecordingUrl"] = $"https://www.google.com/ads/localservices/recordings/{id}";
            }

            conversation["phoneCallDetails"] = call;
        }
        else
        {
            conversation["conversationChannel"] = "MESSAGE";
            var message = new JsonObject { ["text"] = $"Hi, my kitchen drain is blocked again (lead {index})." };
            if (index % 4 == 1)
            {
                message["attachmentUrls"] = new JsonArray("https://www.google.com/ads/localservices/attachments/" + id);
            }

            conversation["messageDetails"] = message;
        }

        return conversation;
    }

    private ResponseMessage Feedback(IRequestMessage request)
    {
        if (Refused(request) is { } refused)
        {
            return refused;
        }

        if (Interlocked.Decrement(ref _feedbackFailures) >= 0)
        {
            if (_feedbackFailureStatus == 429)
            {
                var throttled = Failure(429, "RESOURCE_EXHAUSTED", "Too many requests. Retry in 1 seconds.", """{"quotaError":"RESOURCE_TEMPORARILY_EXHAUSTED"}""");
                throttled.AddHeader("Retry-After", "1");
                return throttled;
            }

            return Failure(_feedbackFailureStatus, "UNAVAILABLE", "The service is currently unavailable.", """{"internalError":"TRANSIENT_ERROR"}""");
        }

        var id = long.Parse(FeedbackRegex().Match(request.Path).Groups[1].Value, CultureInfo.InvariantCulture);
        var body = JsonNode.Parse(request.Body ?? "{}")!.AsObject();
        if (body["surveyAnswer"]?.GetValue<string>() is not ("VERY_SATISFIED" or "SATISFIED" or "NEUTRAL" or "DISSATISFIED" or "VERY_DISSATISFIED"))
        {
            return Failure(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", """{"fieldError":"REQUIRED"}""");
        }

        if (!FeedbackReceived.TryAdd(id, body))
        {
            return Failure(400, "INVALID_ARGUMENT", "Lead feedback was already submitted for this lead.", """{"localServicesLeadError":"LEAD_FEEDBACK_ALREADY_SUBMITTED"}""");
        }

        return Json(200, """{"creditIssuanceDecision":"SUCCESS_NOT_REACHED_THRESHOLD"}""");
    }

    private ResponseMessage? Refused(IRequestMessage request)
    {
        string? Header(string name) => request.Headers?.TryGetValue(name, out var values) == true ? values.FirstOrDefault() : null;
        var bearer = Header("Authorization") is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null;
        if (bearer is null || RefuseAllAccessTokens || !_accessTokens.ContainsKey(bearer))
        {
            return Failure(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                """{"authenticationError":"OAUTH_TOKEN_INVALID"}""");
        }

        if (Header("developer-token") != DeveloperToken)
        {
            return Failure(403, "PERMISSION_DENIED", "The developer token is not approved.", """{"authorizationError":"DEVELOPER_TOKEN_NOT_APPROVED"}""");
        }

        return Header("login-customer-id") != LoginCustomerId
            ? Failure(403, "PERMISSION_DENIED", "User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header.",
                """{"authorizationError":"USER_PERMISSION_DENIED"}""")
            : null;
    }

    private static ResponseMessage Failure(int code, string status, string message, string errorCode)
    {
        var failure = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code, ["message"] = code == 401 ? message : "Request contains an invalid argument.", ["status"] = status,
                ["details"] = new JsonArray(new JsonObject
                {
                    ["@type"] = "type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure",
                    ["errors"] = new JsonArray(new JsonObject { ["errorCode"] = JsonNode.Parse(errorCode), ["message"] = message }),
                    ["requestId"] = Guid.NewGuid().ToString("N")[..22],
                }),
            },
        };
        return Json(code, failure.ToJsonString());
    }

    private static ResponseMessage Json(int status, string body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json; charset=UTF-8") },
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    [GeneratedRegex(@"creation_date_time >= '([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})'")]
    private static partial Regex SinceRegex();

    [GeneratedRegex(@"LIMIT ([0-9]+)")]
    private static partial Regex LimitRegex();

    [GeneratedRegex(@"localServicesLeads/([0-9]+):provideLeadFeedback$")]
    private static partial Regex FeedbackRegex();
}
