using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StreamFlow.Core.Email;

/// <summary>
/// Mail that must not be sent while a caller waits: the request queues a job and answers, and this background worker
/// composes (database look-ups included) and sends it afterwards. The caller's answer therefore takes the same time
/// whatever the job finds (a password reset for an account that does not exist composes nothing). The queue is in
/// memory and bounded: what a crash loses, the user asks for again.
/// </summary>
public sealed class EmailOutbox(EmailSender sender, ILogger<EmailOutbox> logger) : BackgroundService
{
    public const int Capacity = 1000;

    private readonly Channel<Func<CancellationToken, Task<EmailMessage?>>> _jobs =
        Channel.CreateBounded<Func<CancellationToken, Task<EmailMessage?>>>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Queues <paramref name="compose"/>, which returns the message to send or null for none; false when the queue is full.</summary>
    public bool Enqueue(Func<CancellationToken, Task<EmailMessage?>> compose)
    {
        if (_jobs.Writer.TryWrite(compose))
        {
            return true;
        }

        logger.LogWarning("The email outbox is full ({Capacity} jobs); a job was dropped", Capacity);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var compose in _jobs.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (await compose(stoppingToken) is { } message)
                {
                    await sender.SendAsync(message, stoppingToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The address is not logged; the user can ask again.
                logger.LogError(exception, "An outbox email job failed");
            }
        }
    }
}
