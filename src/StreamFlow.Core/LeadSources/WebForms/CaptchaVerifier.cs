using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.LeadSources.WebForms;

public sealed class CaptchaOptions
{
    public const string Section = "LeadSources:Captcha";

    /// <summary>hCaptcha's siteverify host; tests point it at a local fake.</summary>
    public Uri HCaptchaBaseUrl { get; set; } = new("https://api.hcaptcha.com");

    /// <summary>Cloudflare Turnstile's siteverify host.</summary>
    public Uri TurnstileBaseUrl { get; set; } = new("https://challenges.cloudflare.com");

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The verdict of a siteverify call; <see cref="ErrorCodes"/> are the vendor's own (invalid-input-response, timeout-or-duplicate, …).</summary>
public sealed record CaptchaVerdict(bool Success, IReadOnlyList<string> ErrorCodes);

/// <summary>
/// Checks a captcha token with the vendor's documented siteverify API: POST form-encoded <c>secret</c>, <c>response</c>
/// and <c>remoteip</c> to https://api.hcaptcha.com/siteverify or https://challenges.cloudflare.com/turnstile/v0/siteverify;
/// both answer JSON <c>{ "success": bool, "error-codes": [...] }</c>. An unreachable or unreadable vendor throws
/// <see cref="CaptchaUnavailableException"/>: the submission is then refused with 503, never let through unchecked.
/// </summary>
public sealed class CaptchaVerifier(IOptions<CaptchaOptions> options) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = options.Value.Timeout };

    /// <summary>The form field each widget fills with its token.</summary>
    public static string TokenField(string provider) => provider == "hcaptcha" ? "h-captcha-response" : "cf-turnstile-response";

    public async Task<CaptchaVerdict> VerifyAsync(string provider, string secret, string token, string? remoteIp, CancellationToken cancellationToken)
    {
        var url = provider == "hcaptcha"
            ? new Uri(options.Value.HCaptchaBaseUrl, "/siteverify")
            : new Uri(options.Value.TurnstileBaseUrl, "/turnstile/v0/siteverify");
        var form = new Dictionary<string, string> { ["secret"] = secret, ["response"] = token };
        if (!string.IsNullOrEmpty(remoteIp))
        {
            form["remoteip"] = remoteIp;
        }

        try
        {
            using var response = await _http.PostAsync(url, new FormUrlEncodedContent(form), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new CaptchaUnavailableException($"{provider} siteverify answered {(int)response.StatusCode}.");
            }

            var answer = await response.Content.ReadFromJsonAsync<SiteverifyAnswer>(cancellationToken)
                ?? throw new CaptchaUnavailableException($"{provider} siteverify answered an empty body.");
            return new CaptchaVerdict(answer.Success, answer.ErrorCodes ?? []);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new CaptchaUnavailableException($"{provider} siteverify could not be reached or read.", exception);
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed record SiteverifyAnswer(
        [property: JsonPropertyName("success")] bool Success,
        [property: JsonPropertyName("error-codes")] string[]? ErrorCodes);
}

public sealed class CaptchaUnavailableException : Exception
{
    public CaptchaUnavailableException()
    {
    }

    public CaptchaUnavailableException(string message)
        : base(message)
    {
    }

    public CaptchaUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
