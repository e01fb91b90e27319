using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Federation.Signatures;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Federation.Members;

/// <summary>A member's answer, or why there was none, said so that the provider can act on it.</summary>
public sealed record MemberAnswer(FederationClientSummaries? Summaries, string? Error);

/// <summary>
/// Reads a member's client summaries with a signed GET (docs/federation-signatures.md). Redirects are not followed
/// (a signature covers one target), the answer is capped, and every failure comes back as a sentence, never thrown.
/// </summary>
public sealed class FederationMemberClient(IOptions<FederationOptions> options, TimeProvider time) : IDisposable
{
    private const string SummariesPath = "api/v1/federation/clients";

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = options.Value.PullTimeout,
        MaxResponseContentBufferSize = options.Value.MaxSummaryBytes,
    };

    internal async Task<MemberAnswer> ReadSummariesAsync(Uri baseUrl, FederationSigningKey key, CancellationToken cancellationToken)
    {
        var target = new Uri(baseUrl, SummariesPath);
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        foreach (var (name, value) in HttpMessageSigner.Sign("GET", target, [], key, time.GetUtcNow(), TimeSpan.FromMinutes(1)))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new MemberAnswer(null, $"HTTP {(int)response.StatusCode} from {target.Authority}: {ProblemDetail(body)}");
            }

            var summaries = JsonSerializer.Deserialize<FederationClientSummaries>(body, StreamFlowJson.Options);
            return summaries?.Clients is null
                ? new MemberAnswer(null, $"{target.Authority} answered without a clients list.")
                : new MemberAnswer(summaries, null);
        }
        catch (HttpRequestException exception)
        {
            return new MemberAnswer(null, $"{target.Authority} could not be reached: {exception.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new MemberAnswer(null, $"{target.Authority} did not answer within {options.Value.PullTimeout.TotalSeconds:0} s.");
        }
        catch (JsonException exception)
        {
            return new MemberAnswer(null, $"{target.Authority} answered JSON that is not client summaries: {exception.Message}");
        }
    }

    public void Dispose() => _http.Dispose();

    private static string ProblemDetail(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "no detail";
        }
        catch (JsonException)
        {
            return "no problem details";
        }
    }
}
