using System.Net.Mail;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Identity.Clients;

internal static class UserValidation
{
    public const int MinimumPasswordLength = 12;
    public const int MaximumPasswordLength = 256;

    public static void Email(ValidationErrors errors, string field, string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            errors.Add(field, "is required.");
        }
        else if (email.Length > 320 || !MailAddress.TryCreate(email.Trim(), out var parsed) || parsed.Address != email.Trim() || !parsed.Host.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(field, "must be a valid email address.");
        }
    }

    public static void NewPassword(ValidationErrors errors, string field, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add(field, "is required.");
        }
        else if (password.Length < MinimumPasswordLength || password.Length > MaximumPasswordLength)
        {
            errors.Add(field, $"must be between {MinimumPasswordLength} and {MaximumPasswordLength} characters.");
        }
    }
}
