using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

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

public sealed record EmailMessage(string To, string Subject, string TextBody, string? HtmlBody = null, IReadOnlyList<EmailAttachment>? Attachments = null);

/// <summary>Sends mail over SMTP with MailKit (maildev locally, any relay in Azure).</summary>
public sealed class EmailSender(IOptions<SmtpOptions> options)
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(settings.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
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
