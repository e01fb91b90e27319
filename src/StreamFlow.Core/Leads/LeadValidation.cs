using System.Net.Mail;
using System.Text.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Privacy;

namespace StreamFlow.Core.Leads;

/// <summary>Field rules for leads: lengths, email and phone formats, typed attributes.</summary>
public static class LeadValidation
{
    public const int MaxAttributes = 200;
    public const int MaxTextLength = 1000;

    public static void Validate(LeadInput input, ValidationErrors errors, bool creating)
    {
        errors.MaxLength("firstName", input.FirstName, 200).MaxLength("lastName", input.LastName, 200)
            .MaxLength("company", input.Company, 200).MaxLength("source", input.Source, 100)
            .MaxLength("externalId", input.ExternalId, 200).MaxLength("postalCode", input.PostalCode, 20)
            .MaxLength("state", input.State, 100).MaxLength("city", input.City, 100).MaxLength("country", input.Country, 100)
            .MaxLength("notes", input.Notes, 10_000).MaxLength("stage", input.Stage, 40);

        if (creating && new[] { input.FirstName, input.LastName, input.Company, input.Email, input.Phone }.All(string.IsNullOrWhiteSpace))
        {
            errors.Add("lead", "needs at least a name, a company, an email or a phone number.");
        }

        if (!string.IsNullOrWhiteSpace(input.Email)
            && (input.Email.Length > 320 || !MailAddress.TryCreate(input.Email.Trim(), out var address) || address.Address != input.Email.Trim() || !address.Host.Contains('.', StringComparison.Ordinal)))
        {
            errors.Add("email", "must be a valid email address.");
        }

        if (!string.IsNullOrWhiteSpace(input.Phone) && NormalizePhone(input.Phone) is null)
        {
            errors.Add("phone", "must be a phone number of 7 to 15 digits, optionally starting with +.");
        }

        if (input.Attributes is { } attributes)
        {
            if (attributes.Count > MaxAttributes)
            {
                errors.Add("attributes", $"must have at most {MaxAttributes} entries.");
            }

            foreach (var (key, value) in attributes)
            {
                if (key.Length is 0 or > 100)
                {
                    errors.Add("attributes", "names must be 1-100 characters.");
                }
                else if (value.ValueKind is JsonValueKind.Object
                    || (value.ValueKind is JsonValueKind.Array && (value.GetArrayLength() > 100 || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))))
                {
                    // Lists of text hold the values of a multi-choice custom field.
                    errors.Add($"attributes.{key}", "must be a string, number, boolean, a list of at most 100 strings, or null.");
                }
                else if (value.ValueKind == JsonValueKind.String && value.GetString()!.Length > MaxTextLength)
                {
                    errors.Add($"attributes.{key}", $"must be at most {MaxTextLength} characters.");
                }
            }
        }
    }

    /// <summary>Digits only, keeping a leading +; null when it is not a plausible phone number (as the blind index reads it).</summary>
    public static string? NormalizePhone(string? phone) => PersonalFields.NormalizePhone(phone);

    public static string? NormalizeEmail(string? email) => PersonalFields.NormalizeEmail(email);
}
