using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using StreamFlow.Core.Branding;

namespace StreamFlow.Core.Email;

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1025;

    public string From { get; set; } = "streamflow@localhost.test";

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>None for a local relay (maildev); StartTls or SslOnConnect for a real one.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.None;
}

public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content, string? ContentId = null);

/// <summary>
/// A mail to send. <paramref name="BrandTenantId"/> names the business whose brand it wears (its users and customers
/// read it); null is the provider's own brand (mail from the provider to a business, alerts to the provider).
/// </summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string? HtmlBody = null, IReadOnlyList<EmailAttachment>? Attachments = null, Guid? BrandTenantId = null);

/// <summary>
/// Sends mail over SMTP with MailKit (maildev locally, any relay in Azure). Every mail passes through here, so this is
/// where it is branded (<see cref="BrandedEmailLayout"/>): the sender's display name, Reply-To, header, logo and footer
/// of the brand <see cref="BrandResolver"/> resolves; the From address stays the relay's own.
/// </summary>
public sealed class EmailSender(IOptions<SmtpOptions> options, BrandResolver brands)
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var brand = await brands.ResolveAsync(message.BrandTenantId, cancellationToken);
        var branded = BrandedEmailLayout.Render(brand, message.Subject, message.TextBody, message.HtmlBody,
            brand.Logo is null ? null : $"cid:{BrandedEmailLayout.LogoContentId}");
        var mime = new MimeMessage();
        var from = MailboxAddress.Parse(settings.From);
        from.Name = brand.SenderName;
        mime.From.Add(from);
        if (brand.ReplyTo is { } replyTo)
        {
            mime.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        }

        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = branded.Subject;
        var body = new BodyBuilder { TextBody = branded.Text, HtmlBody = branded.Html };
        if (brand.Logo is { } logo)
        {
            var part = body.LinkedResources.Add("logo" + (logo.ContentType switch { "image/png" => ".png", "image/jpeg" => ".jpg", _ => ".svg" }),
                logo.Content, ContentType.Parse(logo.ContentType));
            part.ContentId = BrandedEmailLayout.LogoContentId;
        }

        foreach (var attachment in message.Attachments ?? [])
        {
            var part = attachment.ContentId is null
                ? body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType))
                : body.LinkedResources.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
            if (attachment.ContentId is not null)
            {
                part.ContentId = attachment.ContentId;
            }
        }

        mime.Body = body.ToMessageBody();
        using var client = new SmtpClient();
        await client.ConnectAsync(settings.Host, settings.Port, settings.Security, cancellationToken);
        if (!string.IsNullOrEmpty(settings.Username))
        {
            await client.AuthenticateAsync(settings.Username, settings.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
