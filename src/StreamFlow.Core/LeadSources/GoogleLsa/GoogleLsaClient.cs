using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connections.OAuth;

namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>One page of <c>GoogleAdsService.Search</c>: its rows and the token of the next page (absent on the last).</summary>
public sealed record GoogleAdsSearchPage(
    [property: JsonPropertyName("results")] IReadOnlyList<GoogleAdsRow>? Results,
    [property: JsonPropertyName("nextPageToken")] string? NextPageToken,
    [property: JsonPropertyName("fieldMask")] string? FieldMask);

public sealed record GoogleAdsRow([property: JsonPropertyName("localServicesLead")] LocalServicesLead? LocalServicesLead);

/// <summary>The <c>local_services_lead</c> resource as the REST interface writes it (proto3 JSON: lowerCamelCase, int64 as a string).</summary>
public sealed record LocalServicesLead(
    [property: JsonPropertyName("resourceName")] string? ResourceName,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("categoryId")] string? CategoryId,
    [property: JsonPropertyName("serviceId")] string? ServiceId,
    [property: JsonPropertyName("contactDetails")] LocalServicesContactDetails? ContactDetails,
    [property: JsonPropertyName("leadType")] string? LeadType,
    [property: JsonPropertyName("leadStatus")] string? LeadStatus,
    [property: JsonPropertyName("creationDateTime")] string? CreationDateTime,
    [property: JsonPropertyName("locale")] string? Locale,
    [property: JsonPropertyName("note")] LocalServicesNote? Note,
    [property: JsonPropertyName("leadCharged")] bool? LeadCharged,
    [property: JsonPropertyName("creditDetails")] LocalServicesCreditDetails? CreditDetails,
    [property: JsonPropertyName("leadFeedbackSubmitted")] bool? LeadFeedbackSubmitted);

public sealed record LocalServicesContactDetails(
    [property: JsonPropertyName("phoneNumber")] string? PhoneNumber,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("consumerName")] string? ConsumerName);

public sealed record LocalServicesNote(
    [property: JsonPropertyName("editDateTime")] string? EditDateTime,
    [property: JsonPropertyName("description")] string? Description);

public sealed record LocalServicesCreditDetails(
    [property: JsonPropertyName("creditState")] string? CreditState,
    [property: JsonPropertyName("creditStateLastUpdateDateTime")] string? CreditStateLastUpdateDateTime);

/// <summary>One page of a <c>local_services_lead_conversation</c> search.</summary>
public sealed record GoogleAdsConversationPage(
    [property: JsonPropertyName("results")] IReadOnlyList<GoogleAdsConversationRow>? Results,
    [property: JsonPropertyName("nextPageToken")] string? NextPageToken,
    [property: JsonPropertyName("fieldMask")] string? FieldMask);

public sealed record GoogleAdsConversationRow([property: JsonPropertyName("localServicesLeadConversation")] LocalServicesLeadConversation? Conversation);

/// <summary>
/// The <c>local_services_lead_conversation</c> resource: one call, message or booking of a lead (<see cref="Lead"/> is the
/// lead's resource name), with the call's duration and recording or the message's text and attachments.
/// </summary>
public sealed record LocalServicesLeadConversation(
    [property: JsonPropertyName("resourceName")] string? ResourceName,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("conversationChannel")] string? ConversationChannel,
    [property: JsonPropertyName("participantType")] string? ParticipantType,
    [property: JsonPropertyName("lead")] string? Lead,
    [property: JsonPropertyName("eventDateTime")] string? EventDateTime,
    [property: JsonPropertyName("phoneCallDetails")] LocalServicesPhoneCallDetails? PhoneCallDetails,
    [property: JsonPropertyName("messageDetails")] LocalServicesMessageDetails? MessageDetails);

public sealed record LocalServicesPhoneCallDetails(
    [property: JsonPropertyName("callDurationMillis"), JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)] long? CallDurationMillis,
    [property: JsonPropertyName("callRecordingUrl")] string? CallRecordingUrl);

public sealed record LocalServicesMessageDetails(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("attachmentUrls")] IReadOnlyList<string>? AttachmentUrls);

/// <summary>A <c>ProvideLeadFeedback</c> request: the survey answer and, for a satisfied or dissatisfied one, its reason.</summary>
public sealed record LeadFeedback(string SurveyAnswer, string? SatisfiedReason, string? DissatisfiedReason, string? OtherReasonComment);

/// <summary>
/// Calls the Google Ads API's REST interface as documented: <c>POST {ApiBaseUrl}/{version}/customers/{id}/googleAds:search</c>
/// with a GAQL query and <c>pageToken</c>, and <c>POST …/{resourceName}:provideLeadFeedback</c>; every call carries
/// <c>Authorization: Bearer</c> (an OAuth2 access token refreshed by <see cref="OAuthTokenKeeper"/>), the provider's
/// <c>developer-token</c> and, for an account reached through a manager, <c>login-customer-id</c>. A 401 refreshes the
/// token and tries once more. Errors (google.rpc.Status with GoogleAdsFailure details) become <see cref="ConnectorException"/>s:
/// 401 after the refresh and 403 PERMISSION_DENIED refuse the connection; 429 RESOURCE_EXHAUSTED waits for Retry-After (or
/// the failure's quotaErrorDetails.retryDelay) and without either is the spent daily quota; 400 is the API's message; 5xx
/// and answers that are not the documented JSON are the API being unavailable.
/// </summary>
public sealed class GoogleLsaClient(IOptions<GoogleLsaOptions> options, OAuthTokenKeeper tokens) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly HttpClient _http = new() { Timeout = options.Value.Timeout };

    internal OAuthClientSettings OAuthClient() => new(options.Value.AuthorizationUrl, options.Value.TokenUrl, options.Value.ClientId, options.Value.ClientSecret,
        options.Value.RedirectUri, "https://www.googleapis.com/auth/adwords");

    public async Task<GoogleAdsSearchPage> SearchAsync(ConnectorContext context, GoogleLsaSettings settings, string query, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var body = new JsonObject { ["query"] = query };
        if (!string.IsNullOrEmpty(pageToken))
        {
            body["pageToken"] = pageToken;
        }

        var answer = await SendAsync(context, settings, $"customers/{settings.CustomerId}/googleAds:search", body, cancellationToken);
        try
        {
            var page = JsonSerializer.Deserialize<GoogleAdsSearchPage>(answer);
            // An empty result has no "results" member at all; a documented answer always has its field mask.
            return page is not null && (page.Results is not null || page.FieldMask is not null) && page.Results?.Any(r => r?.LocalServicesLead is null) != true
                ? page
                : throw new ConnectorException(ConnectorFailure.Unavailable, "The Google Ads API answered JSON that is not a search response.");
        }
        catch (JsonException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "The Google Ads API answered something that is not the documented JSON.", inner: exception);
        }
    }

    public async Task<GoogleAdsConversationPage> SearchConversationsAsync(
        ConnectorContext context, GoogleLsaSettings settings, string query, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var body = new JsonObject { ["query"] = query };
        if (!string.IsNullOrEmpty(pageToken))
        {
            body["pageToken"] = pageToken;
        }

        var answer = await SendAsync(context, settings, $"customers/{settings.CustomerId}/googleAds:search", body, cancellationToken);
        try
        {
            var page = JsonSerializer.Deserialize<GoogleAdsConversationPage>(answer);
            return page is not null && (page.Results is not null || page.FieldMask is not null) && page.Results?.Any(r => r?.Conversation is null) != true
                ? page
                : throw new ConnectorException(ConnectorFailure.Unavailable, "The Google Ads API answered JSON that is not a search response.");
        }
        catch (JsonException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "The Google Ads API answered something that is not the documented JSON.", inner: exception);
        }
    }

    /// <summary>Sends the outcome of one lead; returns Google's credit issuance decision.</summary>
    public async Task<string?> ProvideLeadFeedbackAsync(ConnectorContext context, GoogleLsaSettings settings, string resourceName, LeadFeedback feedback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var body = new JsonObject { ["surveyAnswer"] = feedback.SurveyAnswer };
        if (feedback.SatisfiedReason is { } satisfied)
        {
            body["surveySatisfied"] = Reason("surveySatisfiedReason", satisfied, feedback.OtherReasonComment);
        }
        else if (feedback.DissatisfiedReason is { } dissatisfied)
        {
            body["surveyDissatisfied"] = Reason("surveyDissatisfiedReason", dissatisfied, feedback.OtherReasonComment);
        }

        var answer = await SendAsync(context, settings, $"{resourceName}:provideLeadFeedback", body, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(answer);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("creditIssuanceDecision", out var decision)
                ? decision.GetString()
                : null;
        }
        catch (JsonException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "The Google Ads API answered something that is not the documented JSON.", inner: exception);
        }
    }

    public void Dispose() => _http.Dispose();

    private static JsonObject Reason(string name, string reason, string? comment)
    {
        var detail = new JsonObject { [name] = reason };
        if (comment is not null)
        {
            detail["otherReasonComment"] = comment;
        }

        return detail;
    }

    private async Task<string> SendAsync(ConnectorContext context, GoogleLsaSettings settings, string path, JsonObject body, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.Value.DeveloperToken))
        {
            throw new ConnectorException(ConnectorFailure.InvalidRequest, "No Google Ads developer token is configured (LeadSources__GoogleLsa__DeveloperToken).");
        }

        var uri = new Uri($"{options.Value.ApiBaseUrl.TrimEnd('/')}/{options.Value.ApiVersion}/{path}");
        var client = OAuthClient();
        var token = await tokens.AccessTokenAsync(context, client, null, cancellationToken);
        var (status, text, retryAfter) = await PostAsync(uri, settings, token, body, cancellationToken);
        if (status == HttpStatusCode.Unauthorized)
        {
            token = await tokens.AccessTokenAsync(context, client, token, cancellationToken);
            (status, text, retryAfter) = await PostAsync(uri, settings, token, body, cancellationToken);
        }

        if ((int)status is >= 200 and < 300)
        {
            return text;
        }

        var error = GoogleAdsError.Read(text);
        var message = error.Message ?? $"HTTP {(int)status}";
        var wait = retryAfter ?? error.RetryDelay;
        throw (int)status switch
        {
            401 => new ConnectorException(ConnectorFailure.Unauthorized, $"Google refused the access token after a refresh: {message}; connect the account again."),
            403 => new ConnectorException(ConnectorFailure.Unauthorized, $"Google refused access to customer {settings.CustomerId} ({error.Status ?? "PERMISSION_DENIED"}): {message}"),
            429 when wait is null => new ConnectorException(ConnectorFailure.QuotaExceeded, $"The Google Ads API quota is spent: {message}"),
            429 => new ConnectorException(ConnectorFailure.RateLimited, $"The Google Ads API is throttling: {message}", wait),
            >= 500 => new ConnectorException(ConnectorFailure.Unavailable, $"The Google Ads API failed ({(int)status}): {message}", retryAfter),
            _ => new ConnectorException(ConnectorFailure.InvalidRequest, $"The Google Ads API refused the request ({error.Status ?? ((int)status).ToString(CultureInfo.InvariantCulture)}): {message}"),
        };
    }

    private async Task<(HttpStatusCode Status, string Body, TimeSpan? RetryAfter)> PostAsync(
        Uri uri, GoogleLsaSettings settings, string token, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body.ToJsonString(Json), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("developer-token", options.Value.DeveloperToken);
        if (settings.LoginCustomerId is { } login)
        {
            request.Headers.Add("login-customer-id", login);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var retryAfter = response.Headers.RetryAfter is { } header
                ? header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow is { TotalSeconds: > 0 } wait ? wait : TimeSpan.Zero : null)
                : null;
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), retryAfter);
        }
        catch (Exception exception) when (exception is HttpRequestException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "The Google Ads API could not be reached or did not answer in time.", inner: exception);
        }
    }

    /// <summary>
    /// A google.rpc.Status error: <c>{"error":{"code","message","status","details":[{"@type":"…GoogleAdsFailure","errors":[{"errorCode":{…},
    /// "message","details":{"quotaErrorDetails":{"retryDelay":"30s"}}}],"requestId"}]}}</c>.
    /// </summary>
    private sealed record GoogleAdsError(string? Status, string? Message, TimeSpan? RetryDelay)
    {
        public static GoogleAdsError Read(string body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
                {
                    return new GoogleAdsError(null, null, null);
                }

                string? status = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                string? message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                TimeSpan? delay = null;
                foreach (var failure in error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array ? details.EnumerateArray() : default)
                {
                    foreach (var each in failure.ValueKind == JsonValueKind.Object && failure.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                        ? errors.EnumerateArray() : default)
                    {
                        // The specific message ("The developer token is not approved.") says more than the status's.
                        if (each.TryGetProperty("message", out var specific) && specific.ValueKind == JsonValueKind.String)
                        {
                            message = specific.GetString();
                        }

                        if (each.TryGetProperty("details", out var more) && more.ValueKind == JsonValueKind.Object
                            && more.TryGetProperty("quotaErrorDetails", out var quota) && quota.ValueKind == JsonValueKind.Object
                            && quota.TryGetProperty("retryDelay", out var retry) && retry.ValueKind == JsonValueKind.String
                            && retry.GetString() is { Length: > 1 } seconds && seconds.EndsWith('s')
                            && double.TryParse(seconds[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                        {
                            delay = TimeSpan.FromSeconds(value);
                        }
                    }
                }

                return new GoogleAdsError(status, message is { Length: > 300 } ? message[..300] : message, delay);
            }
            catch (JsonException)
            {
                return new GoogleAdsError(null, null, null);
            }
        }
    }
}
