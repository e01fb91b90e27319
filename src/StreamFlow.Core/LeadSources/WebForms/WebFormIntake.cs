using System.Text.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.RateLimiting;

namespace StreamFlow.Core.LeadSources.WebForms;

/// <summary>
/// The public intake of a web form: origin check, per-address rate limit, honeypot, captcha, then the field mapping
/// onto a lead written by <see cref="WebFormLeadBatcher"/> together with other submissions of the form (group commit; a
/// repeat visitor's email or phone merges into their lead). Field errors name the form's own fields, so the website can
/// show them next to its inputs. The form comes from <see cref="WebFormCache"/> and the limit is counted in memory: the
/// lead's write is the only database work.
/// </summary>
public sealed class WebFormIntake(
    WebFormCache forms,
    WebFormLeadBatcher batcher,
    ApiRateLimiter rateLimiter,
    CaptchaVerifier captcha,
    SourceSecretProtector protector)
{
    public async Task<Result<WebFormOutcome>> SubmitAsync(WebFormSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (!WebFormKey.TryReadTenant(submission.FormKey, out var tenantId))
        {
            return Problem.NotFound("The form");
        }

        if (await forms.FindAsync(tenantId, submission.FormKey, cancellationToken) is not { } intake)
        {
            return Problem.NotFound("The form");
        }

        var form = intake.Row;

        string? allowedOrigin = null;
        if (submission.Origin is not null)
        {
            allowedOrigin = WebFormValidation.NormalizeOrigin(submission.Origin) is { } origin && intake.Origins.Contains(origin) ? submission.Origin : null;
            if (allowedOrigin is null)
            {
                return Problem.Forbidden("This form does not accept submissions from that origin.");
            }
        }

        if (rateLimiter.TryAcquire(($"webform:{form.Id}:{submission.RemoteIp}", form.SubmissionsPerMinute)) is { } limited)
        {
            return limited;
        }

        if (form.HoneypotField is { } honeypot && submission.Fields.TryGetValue(honeypot, out var trap) && trap.Length > 0)
        {
            return new WebFormOutcome(tenantId, null, false, allowedOrigin);
        }

        if (form.CaptchaProvider is { } provider && await CaptchaProblemAsync(form, provider, submission, cancellationToken) is { } refused)
        {
            return refused;
        }

        var created = await batcher.CreateAsync(new LeadActor(tenantId, $"webform:{form.Id}", CanAssign: false), ToLead(form.LeadSource, intake.Fields, submission.Fields))
            .WaitAsync(cancellationToken);
        return created.Succeeded
            ? new WebFormOutcome(tenantId, created.Value.Lead, created.Value.Created, allowedOrigin)
            : InFormTerms(created.Problem, intake.Fields);
    }

    private async Task<Problem?> CaptchaProblemAsync(WebFormRow form, string provider, WebFormSubmission submission, CancellationToken cancellationToken)
    {
        var field = CaptchaVerifier.TokenField(provider);
        if (!submission.Fields.TryGetValue(field, out var token) || string.IsNullOrWhiteSpace(token))
        {
            return Problem.Validation(field, "is required: complete the captcha.");
        }

        try
        {
            var secret = protector.Unprotect(form.CaptchaSecretCiphertext!, form.TenantId, form.Id);
            var verdict = await captcha.VerifyAsync(provider, secret, token, submission.RemoteIp, cancellationToken);
            return verdict.Success ? null : Problem.Validation(field, $"was not accepted ({string.Join(", ", verdict.ErrorCodes)}); complete the captcha again.");
        }
        catch (CaptchaUnavailableException)
        {
            return new Problem(ProblemKind.Unavailable, "The captcha could not be checked just now; try again in a minute.", RetryAfter: TimeSpan.FromSeconds(30));
        }
    }

    private static LeadInput ToLead(string leadSource, IReadOnlyDictionary<string, string> fieldMap, IReadOnlyDictionary<string, string> fields)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (field, target) in fieldMap)
        {
            if (!fields.TryGetValue(field, out var value) || string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (target.StartsWith(WebFormValidation.AttributePrefix, StringComparison.Ordinal))
            {
                attributes[target[WebFormValidation.AttributePrefix.Length..]] = JsonSerializer.SerializeToElement(value.Trim());
            }
            else
            {
                values[target] = value.Trim();
            }
        }

        string? Value(string name) => values.GetValueOrDefault(name);
        return new LeadInput(Value("firstName"), Value("lastName"), Value("company"), Value("email"), Value("phone"), leadSource, null,
            Value("postalCode"), Value("state"), Value("city"), Value("country"), Value("notes"), attributes.Count > 0 ? attributes : null, null, null);
    }

    /// <summary>Renames the lead service's field errors (email, attributes.x) to the form fields mapped onto them.</summary>
    private static Problem InFormTerms(Problem problem, IReadOnlyDictionary<string, string> fieldMap)
    {
        if (problem.Errors is null)
        {
            return problem;
        }

        var byTarget = fieldMap.GroupBy(pair => pair.Value).ToDictionary(group => group.Key, group => group.First().Key, StringComparer.OrdinalIgnoreCase);
        var renamed = problem.Errors
            .GroupBy(error => byTarget.GetValueOrDefault(error.Key, error.Key), StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.SelectMany(error => error.Value).ToArray(), StringComparer.Ordinal);
        return problem with { Errors = renamed };
    }
}
