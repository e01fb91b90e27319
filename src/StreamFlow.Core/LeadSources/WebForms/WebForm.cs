namespace StreamFlow.Core.LeadSources.WebForms;

/// <summary>
/// A new web form. <see cref="FieldMap"/> maps a form field's name to a lead field (firstName, lastName, company, email,
/// phone, postalCode, state, city, country, notes) or to an attribute (<c>attributes.&lt;name&gt;</c>).
/// </summary>
public sealed record CreateWebForm(
    string? Name,
    string? LeadSource,
    Dictionary<string, string>? FieldMap,
    IReadOnlyList<string>? AllowedOrigins,
    string? HoneypotField,
    string? CaptchaProvider,
    string? CaptchaSecret,
    int? SubmissionsPerMinute);

/// <summary>A form as its owners see it; the captcha secret is never shown. Websites post to <see cref="SubmitPath"/>.</summary>
public sealed record WebFormView(
    Guid Id, string FormKey, string SubmitPath, string Name, string LeadSource, IReadOnlyDictionary<string, string> FieldMap,
    IReadOnlyList<string> AllowedOrigins, string? HoneypotField, string? CaptchaProvider, int SubmissionsPerMinute, bool Enabled,
    DateTimeOffset CreatedAt);

public sealed record WebFormPage(IReadOnlyList<WebFormView> Items, string? NextCursor);

/// <summary>One submission as the intake route read it: field values by name, the browser's Origin and the sender's address.</summary>
public sealed record WebFormSubmission(string FormKey, IReadOnlyDictionary<string, string> Fields, string? Origin, string? RemoteIp);

/// <summary>
/// What the intake did. <see cref="Lead"/> is null when nothing was stored (the honeypot was filled); callers answer
/// the same either way so that bots learn nothing. <see cref="AllowedOrigin"/> is echoed as Access-Control-Allow-Origin.
/// </summary>
public sealed record WebFormOutcome(Guid TenantId, Leads.Lead? Lead, bool Created, string? AllowedOrigin);

internal sealed record WebFormRow(
    Guid Id, Guid TenantId, string FormKey, string Name, string LeadSource, string FieldMap, string AllowedOrigins, string? HoneypotField,
    string? CaptchaProvider, byte[]? CaptchaSecretCiphertext, int SubmissionsPerMinute, bool Enabled, DateTimeOffset CreatedAt)
{
    // Comma-joined by the store (array_to_string): origins hold no commas, and Dapper's record constructors do not bind text[].
    public string[] Origins => AllowedOrigins.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public IReadOnlyDictionary<string, string> Fields =>
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(FieldMap) ?? [];

    public WebFormView ToView() =>
        new(Id, FormKey, WebFormKey.SubmitPath(FormKey), Name, LeadSource, Fields, Origins, HoneypotField, CaptchaProvider,
            SubmissionsPerMinute, Enabled, CreatedAt);
}
