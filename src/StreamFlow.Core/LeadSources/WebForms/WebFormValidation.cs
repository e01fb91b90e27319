using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.LeadSources.WebForms;

internal static class WebFormValidation
{
    public const int MaxFields = 50;
    public const int DefaultSubmissionsPerMinute = 5;

    /// <summary>Lead fields a form field can fill, by the name the leads API uses.</summary>
    public static readonly IReadOnlySet<string> LeadFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "firstName", "lastName", "company", "email", "phone", "postalCode", "state", "city", "country", "notes",
    };

    public const string AttributePrefix = "attributes.";

    public static readonly IReadOnlySet<string> CaptchaProviders = new HashSet<string>(StringComparer.Ordinal) { "hcaptcha", "turnstile" };

    public static void Validate(CreateWebForm form, ValidationErrors errors)
    {
        errors.Required("name", form.Name?.Trim(), 100);
        errors.MaxLength("leadSource", form.LeadSource, 100);
        if (form.FieldMap is null || form.FieldMap.Count == 0)
        {
            errors.Add("fieldMap", "needs at least one form field mapped to a lead field.");
        }
        else if (form.FieldMap.Count > MaxFields)
        {
            errors.Add("fieldMap", $"maps at most {MaxFields} fields.");
        }
        else
        {
            foreach (var (field, target) in form.FieldMap)
            {
                if (!IsFieldName(field))
                {
                    errors.Add("fieldMap", $"'{field}' is not a usable form field name (1-100 characters, no control characters).");
                }
                else if (!IsTarget(target))
                {
                    errors.Add($"fieldMap.{field}", $"must be one of {string.Join(", ", LeadFields)} or attributes.<name>.");
                }
            }

            foreach (var duplicate in form.FieldMap.Values.Where(t => LeadFields.Contains(t ?? "")).GroupBy(t => t).Where(g => g.Count() > 1))
            {
                errors.Add("fieldMap", $"{duplicate.Key} is the target of more than one form field.");
            }
        }

        foreach (var origin in form.AllowedOrigins ?? [])
        {
            if (NormalizeOrigin(origin) is null)
            {
                errors.Add("allowedOrigins", $"'{origin}' is not an origin such as https://www.example.com (scheme, host and port only).");
            }
        }

        if (form.HoneypotField is not null && (!IsFieldName(form.HoneypotField) || form.FieldMap?.ContainsKey(form.HoneypotField) == true))
        {
            errors.Add("honeypotField", "must be a field name that is not mapped.");
        }

        if (form.CaptchaProvider is not null && !CaptchaProviders.Contains(form.CaptchaProvider))
        {
            errors.Add("captchaProvider", "must be hcaptcha or turnstile.");
        }

        if ((form.CaptchaProvider is null) != string.IsNullOrWhiteSpace(form.CaptchaSecret))
        {
            errors.Add("captchaSecret", "is required with a captchaProvider, and only then.");
        }
        else
        {
            errors.MaxLength("captchaSecret", form.CaptchaSecret, 200);
        }

        if (form.SubmissionsPerMinute is < 1 or > 1000)
        {
            errors.Add("submissionsPerMinute", "must be between 1 and 1000.");
        }
    }

    /// <summary>scheme://host[:port] in lower case, or null when <paramref name="origin"/> is not one.</summary>
    public static string? NormalizeOrigin(string? origin)
    {
        if (origin is null || origin.Contains(',', StringComparison.Ordinal) || !Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        return uri.IsDefaultPort ? $"{uri.Scheme}://{uri.Host}".ToLowerInvariant() : $"{uri.Scheme}://{uri.Host}:{uri.Port}".ToLowerInvariant();
    }

    private static bool IsFieldName(string? name) => !string.IsNullOrWhiteSpace(name) && name.Length <= 100 && !name.Any(char.IsControl);

    private static bool IsTarget(string? target) =>
        target is not null && (LeadFields.Contains(target)
            || (target.StartsWith(AttributePrefix, StringComparison.Ordinal) && target.Length > AttributePrefix.Length && target.Length <= 100 + AttributePrefix.Length));
}
