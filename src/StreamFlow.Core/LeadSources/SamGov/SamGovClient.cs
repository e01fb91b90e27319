using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;

namespace StreamFlow.Core.LeadSources.SamGov;

/// <summary>
/// Calls SAM.gov's Get Opportunities Public API v2, <c>GET {BaseUrl}/opportunities/v2/search</c>, with the documented
/// query parameters, and turns its answers into pages or <see cref="ConnectorException"/>s: 404 is "no data found" (an
/// empty page); 429 is a throttle with Retry-After; the gateway's API_KEY_INVALID / API_KEY_MISSING / API_KEY_DISABLED
/// (403 or 401) refuse the key; OVER_RATE_LIMIT without Retry-After is the daily quota; 400 carries the API's
/// message (a date range, a limit); 5xx and bodies that are not the documented JSON are the vendor being unavailable.
/// </summary>
public sealed class SamGovClient(IOptions<SamGovOptions> options, TimeProvider time) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = options.Value.Timeout };

    public async Task<SamGovSearchPage> SearchAsync(string apiKey, SamGovQuery query, string postedFrom, string postedTo, int offset, int limit, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(options.Value.BaseUrl.TrimEnd('/')).Append("/opportunities/v2/search?api_key=").Append(Uri.EscapeDataString(apiKey))
            .Append("&postedFrom=").Append(Uri.EscapeDataString(postedFrom)).Append("&postedTo=").Append(Uri.EscapeDataString(postedTo))
            .Append("&limit=").Append(limit.ToString(CultureInfo.InvariantCulture)).Append("&offset=").Append(offset.ToString(CultureInfo.InvariantCulture));
        foreach (var type in query.NoticeTypes)
        {
            url.Append("&ptype=").Append(Uri.EscapeDataString(type));
        }

        Append(url, "ncode", query.Naics);
        Append(url, "typeOfSetAside", query.SetAside);
        Append(url, "state", query.State);
        Append(url, "title", query.Keyword);

        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(new Uri(url.ToString()), HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "SAM.gov could not be reached or did not answer in time.", inner: exception);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return new SamGovSearchPage(0, limit, offset, []);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response, body);
            }

            try
            {
                var page = JsonSerializer.Deserialize<SamGovSearchPage>(body);
                return page is { OpportunitiesData: not null }
                    ? page
                    : throw new ConnectorException(ConnectorFailure.Unavailable, "SAM.gov answered JSON without opportunitiesData.");
            }
            catch (JsonException exception)
            {
                throw new ConnectorException(ConnectorFailure.Unavailable, "SAM.gov answered something that is not the documented JSON.", inner: exception);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private ConnectorException Failure(HttpResponseMessage response, string body)
    {
        SamGovError? error = null;
        try
        {
            error = JsonSerializer.Deserialize<SamGovError>(body);
        }
        catch (JsonException)
        {
        }

        var code = error?.Error?.Code;
        var message = error?.Text is { Length: > 0 } text ? text.Trim() : $"SAM.gov answered {(int)response.StatusCode}.";
        var retryAfter = RetryAfter(response);
        return (int)response.StatusCode switch
        {
            429 when retryAfter is null && code == "OVER_RATE_LIMIT" => new ConnectorException(ConnectorFailure.QuotaExceeded, $"SAM.gov's request quota for this key is spent: {message}"),
            429 => new ConnectorException(ConnectorFailure.RateLimited, $"SAM.gov is throttling: {message}", retryAfter ?? TimeSpan.FromSeconds(60)),
            401 or 403 when code == "OVER_RATE_LIMIT" => new ConnectorException(ConnectorFailure.QuotaExceeded, $"SAM.gov's request quota for this key is spent: {message}"),
            401 or 403 => new ConnectorException(ConnectorFailure.Unauthorized, $"SAM.gov refused the API key: {message}"),
            400 or 422 => new ConnectorException(ConnectorFailure.InvalidRequest, $"SAM.gov refused the search: {message}"),
            >= 500 => new ConnectorException(ConnectorFailure.Unavailable, $"SAM.gov failed ({(int)response.StatusCode}).", retryAfter),
            _ => new ConnectorException(ConnectorFailure.InvalidRequest, $"SAM.gov answered {(int)response.StatusCode}: {message}"),
        };
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? (date - time.GetUtcNow()) is { TotalSeconds: > 0 } wait ? wait : TimeSpan.Zero : null;
    }

    private static void Append(StringBuilder url, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            url.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
    }
}
